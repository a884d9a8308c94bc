package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.time.ManualTicker;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * FUZZ: random and mutated DNS messages, over UDP and TCP (a bounded count, from a fixed seed so a failure can be
 * replayed); the server keeps answering valid queries, and every reply it sends to the fuzz parses.
 */
@Timeout(120)
class FuzzTest {

    private static final long SEED = 20261206L;
    private static final int UDP_MESSAGES = 20_000;
    private static final int TCP_MESSAGES = 500;

    /** Valid queries of many shapes, the seeds the mutations start from. */
    private static List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        String[] names = {"www.example.com.", "example.com.", "api.example.com.", "big.example.com.", "host.sub.example.com.",
            "nope.example.com.", "www.example.org.", "alias.example.com."};
        int[] types = {Type.A, Type.AAAA, Type.ANY, Type.TXT, Type.MX, Type.SOA, Type.AXFR, Type.NS};
        for (String n : names) {
            for (int t : types) {
                Message m = Message.newQuery(Record.newRecord(Name.fromString(n), t, DClass.IN));
                seeds.add(m.toWire());
                m.addRecord(new OPTRecord(1232, 0, 0, 0, new ClientSubnetOption(24, java.net.InetAddress.getByName("198.51.100.0"))),
                        Section.ADDITIONAL);
                seeds.add(m.toWire());
            }
        }
        return seeds;
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] m;
        switch (random.nextInt(6)) {
            case 0 -> { // random bytes
                m = new byte[random.nextInt(600)];
                random.nextBytes(m);
            }
            case 1 -> { // truncated
                m = java.util.Arrays.copyOf(seed, random.nextInt(seed.length + 1));
            }
            case 2 -> { // extended with garbage
                m = java.util.Arrays.copyOf(seed, seed.length + 1 + random.nextInt(64));
                for (int i = seed.length; i < m.length; i++) {
                    m[i] = (byte) random.nextInt();
                }
            }
            default -> { // bit flips and byte overwrites, counts and lengths included
                m = seed.clone();
                int edits = 1 + random.nextInt(8);
                for (int i = 0; i < edits && m.length > 0; i++) {
                    int at = random.nextInt(m.length);
                    m[at] = random.nextBoolean() ? (byte) (m[at] ^ (1 << random.nextInt(8))) : (byte) random.nextInt();
                }
            }
        }
        if (m.length > 3 && random.nextInt(4) > 0) {
            m[2] &= 0x7F; // mostly queries (QR clear), or the server just drops them
        }
        return m;
    }

    @Test
    void randomAndMutatedMessagesNeverStopTheServer() throws Exception {
        String records = TestZones.STATIC_RECORDS + """
                  - name: api.example.com.
                    policy: geo
                    targets:
                      - { address: 203.0.113.10, check: "tcp://127.0.0.1:9", geo: [198.51.100.0/24] }
                      - { address: 192.0.2.10, check: "tcp://127.0.0.1:9" }
                """;
        try (TestZones.Server server = TestZones.start(TestZones.config("127.0.0.1:0", records, ""), new ManualTicker(), Runnable::run);
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress address = server.gslb().address();
            Random random = new Random(SEED);
            List<byte[]> seeds = seeds();
            socket.setSoTimeout(1);
            socket.setReceiveBufferSize(1 << 20);
            byte[] buf = new byte[65535];
            int replies = 0;
            for (int i = 0; i < UDP_MESSAGES; i++) {
                byte[] m = mutate(seeds.get(random.nextInt(seeds.size())), random);
                socket.send(new DatagramPacket(m, m.length, address));
                if (i % 50 == 49) {
                    replies += drain(socket, buf);
                }
            }
            socket.setSoTimeout(500);
            replies += drain(socket, buf);
            for (int i = 0; i < TCP_MESSAGES; i++) {
                byte[] m = mutate(seeds.get(random.nextInt(seeds.size())), random);
                try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                    s.setSoTimeout(50);
                    int length = random.nextInt(8) == 0 ? random.nextInt(65536) : m.length; // sometimes a lying length
                    s.getOutputStream().write(new byte[] {(byte) (length >> 8), (byte) length});
                    s.getOutputStream().write(m);
                    s.shutdownOutput();
                    try {
                        s.getInputStream().readAllBytes();
                    } catch (java.net.SocketTimeoutException stillWaitingForTheRest) {
                        // the server waits for the rest of a frame that claimed more than was sent; its idle timer ends it
                    }
                }
            }
            assertThat(replies).as("some of the fuzz was answered (FORMERR, REFUSED...)").isGreaterThan(UDP_MESSAGES / 10);

            Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.IN));
            Message udp = DnsClient.parse(DnsClient.udp(address, q.toWire()));
            assertThat(udp.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(udp.getSection(Section.ANSWER)).singleElement().extracting(Record::rdataToString).isEqualTo("192.0.2.1");
            Message tcp = DnsClient.parse(DnsClient.tcpOne(address, q.toWire()));
            assertThat(tcp.getSection(Section.ANSWER)).hasSize(1);
            assertThat(server.registry().scrape()).contains("gatehouse_gslb_bad_messages_total{reason=\"malformed\"}");
        }
    }

    /** Reads the replies waiting; each must parse as a DNS message. */
    private static int drain(DatagramSocket socket, byte[] buf) throws Exception {
        int n = 0;
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (java.net.SocketTimeoutException none) {
                return n;
            }
            new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            n++;
        }
    }
}
