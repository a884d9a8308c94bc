package dev.gatehouse.gslb;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Message;

/** A plain DNS client for tests: sends bytes over UDP or TCP and returns the reply's bytes, or null for silence. */
final class DnsClient {

    private static final int TIMEOUT_MILLIS = 1500;

    private DnsClient() {}

    static byte[] udp(InetSocketAddress server, byte[] query) throws IOException {
        return udp(server, query, TIMEOUT_MILLIS);
    }

    static byte[] udp(InetSocketAddress server, byte[] query, int timeoutMillis) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(server.getAddress().isLoopbackAddress()
                ? server.getAddress() : null, 0))) {
            s.setSoTimeout(timeoutMillis);
            s.send(new DatagramPacket(query, query.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException silence) {
                return null;
            }
            return java.util.Arrays.copyOf(buf, p.getLength());
        }
    }

    /** Every message the server sends on one TCP connection until it has sent {@code expected} or goes quiet. */
    static List<byte[]> tcp(InetSocketAddress server, byte[] query, int expected) throws IOException {
        List<byte[]> replies = new ArrayList<>();
        try (Socket s = new Socket()) {
            s.connect(server, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (replies.size() < expected) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (SocketTimeoutException | java.io.EOFException end) {
                    break;
                }
                byte[] reply = new byte[length];
                in.readFully(reply);
                replies.add(reply);
            }
        }
        return replies;
    }

    static byte[] tcpOne(InetSocketAddress server, byte[] query) throws IOException {
        List<byte[]> r = tcp(server, query, 1);
        return r.isEmpty() ? null : r.getFirst();
    }

    static Message parse(byte[] wire) throws IOException {
        return wire == null ? null : new Message(wire);
    }
}
