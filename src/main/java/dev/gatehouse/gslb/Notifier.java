package dev.gatehouse.gslb;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Tells the secondaries that the zone changed (NOTIFY, RFC 1996), so they fetch it at once instead of at their next
 * refresh. Each is sent over UDP and retried with a doubling wait until the secondary acknowledges it. Blocking:
 * meant for a virtual thread of the control plane.
 */
final class Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final int ATTEMPTS = 5;
    private static final int FIRST_WAIT_MILLIS = 500;

    private Notifier() {}

    /**
     * Notifies each of {@code secondaries} of {@code soa} from {@code source} (the server's own address, which the
     * secondaries know as their primary; null for any).
     */
    static void notifyAll(List<InetSocketAddress> secondaries, SOARecord soa, InetAddress source) {
        for (InetSocketAddress secondary : secondaries) {
            notifyOne(secondary, soa, source);
        }
    }

    /** Sends until {@code secondary} acknowledges; logs when it never does. */
    private static void notifyOne(InetSocketAddress secondary, SOARecord soa, InetAddress source) {
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        Message m = new Message(id);
        m.getHeader().setOpcode(Opcode.NOTIFY);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(Record.newRecord(soa.getName(), Type.SOA, DClass.IN), Section.QUESTION);
        m.addRecord(soa, Section.ANSWER);
        byte[] wire = m.toWire();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
            int wait = FIRST_WAIT_MILLIS;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++, wait *= 2) {
                socket.send(new DatagramPacket(wire, wire.length, secondary));
                if (acknowledged(socket, id, wait)) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.warn("gslb: NOTIFY to {} failed: {}", secondary, e.toString());
            return;
        }
        LOG.warn("gslb: {} did not acknowledge the NOTIFY for serial {} after {} attempts", secondary, soa.getSerial(), ATTEMPTS);
    }

    private static boolean acknowledged(DatagramSocket socket, int id, int waitMillis) throws IOException {
        byte[] buf = new byte[512];
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return false;
            }
            if (p.getLength() >= 4 && ((buf[0] & 0xFF) << 8 | (buf[1] & 0xFF)) == id && (buf[2] & 0x80) != 0) {
                return true;
            }
        }
    }
}
