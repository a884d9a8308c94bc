package dev.gatehouse.bgp;

import static dev.gatehouse.bgp.Frames.concat;
import static dev.gatehouse.bgp.Frames.of;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fake peer that breaks the protocol one way per connection: the speaker answers each with the NOTIFICATION RFC
 * 4271 names, counts it, backs off, reconnects, and in the end still brings a session up and announces.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostilePeerTest {

    private static final int[] PEER_ID = {192, 0, 2, 2};
    private static final byte[] GOOD_OPEN = Frames.open(65000, 9, PEER_ID, Frames.capabilities(65000));
    private static final byte[] KEEPALIVE = Frames.frame(BgpMessage.KEEPALIVE, new byte[0]);

    /** What the peer sends after reading the speaker's OPEN, and the NOTIFICATION expected back. */
    private record Misdeed(String name, byte[] send, Notification expected) {}

    @Test
    void everyMalformedMessageGetsItsNotificationAndTheSpeakerReconnects() throws Exception {
        byte[] badMarker = KEEPALIVE.clone();
        badMarker[0] = 0x7F;
        byte[] badLength = KEEPALIVE.clone();
        badLength[17] = 10;
        byte[] established = concat(GOOD_OPEN, KEEPALIVE);
        List<Misdeed> misdeeds = List.of(
                new Misdeed("bad marker", badMarker, new Notification(1, 1)),
                new Misdeed("bad length", badLength, new Notification(1, 2, of(0, 10))),
                new Misdeed("unknown type", Frames.frame(9, new byte[0]), new Notification(1, 3, of(9))),
                new Misdeed("OPEN from the wrong AS", Frames.open(65099, 9, PEER_ID, Frames.capabilities(65099)),
                        new Notification(2, 2)),
                new Misdeed("OPEN with hold time 1 s", Frames.open(65000, 1, PEER_ID, Frames.capabilities(65000)),
                        new Notification(2, 6)),
                new Misdeed("UPDATE with an ORIGIN of 7", concat(established, Frames.update(new byte[0],
                        concat(of(0x40, 1, 1, 7), Frames.AS_PATH_65000, Frames.NEXT_HOP), Frames.NLRI_32)),
                        new Notification(3, 6, of(0x40, 1, 1, 7))),
                new Misdeed("UPDATE missing NEXT_HOP", concat(established, Frames.update(new byte[0],
                        concat(Frames.ORIGIN_IGP, Frames.AS_PATH_65000), Frames.NLRI_32)),
                        new Notification(3, 3, of(3))));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            PeerSettings peer = new PeerSettings(65001, (Inet4Address) InetAddress.getByName("192.0.2.1"),
                    InetAddress.getLoopbackAddress(), server.getLocalPort(), 65000, 9, null);
            try (BgpSpeaker speaker = BgpSpeaker.start(List.of(peer),
                    new BackOff(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(30)), Ticker.system(),
                    registry)) {
                speaker.announce(new Route(InetAddress.getByName("198.51.100.10"), List.of()));
                for (Misdeed misdeed : misdeeds) {
                    try (Socket s = server.accept()) { // the speaker came (back) after its back-off
                        s.setSoTimeout(10_000);
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        assertThat(readMessage(in)[18]).as("its OPEN").isEqualTo((byte) BgpMessage.OPEN);
                        s.getOutputStream().write(misdeed.send());
                        assertThat(notificationIn(in)).as(misdeed.name()).isEqualTo(misdeed.expected());
                        assertThat(in.read()).as("closed after the NOTIFICATION").isEqualTo(-1);
                    }
                }
                // and then a well-behaved peer gets a session and the route
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    readMessage(in);
                    OutputStream out = s.getOutputStream();
                    out.write(concat(GOOD_OPEN, KEEPALIVE));
                    assertThat(readMessage(in)[18]).isEqualTo((byte) BgpMessage.KEEPALIVE);
                    assertThat(readMessage(in)[18]).isEqualTo((byte) BgpMessage.UPDATE);
                }
            }
        }
        for (String code : List.of("1/1", "1/2", "1/3", "2/2", "2/6", "3/6", "3/3")) {
            Counter counted = registry.find("gatehouse_bgp_malformed_messages").tag("code", code).counter();
            assertThat(counted).as(code).isNotNull();
            assertThat(counted.count()).as(code).isEqualTo(1.0);
        }
    }

    /** Skips KEEPALIVEs and UPDATEs (the speaker answering a good OPEN, then announcing) and returns the NOTIFICATION that follows. */
    private static Notification notificationIn(DataInputStream in) throws IOException {
        byte[] message = readMessage(in);
        while (message[18] == BgpMessage.KEEPALIVE || message[18] == BgpMessage.UPDATE) {
            message = readMessage(in);
        }
        assertThat(message[18]).as(java.util.HexFormat.of().formatHex(message)).isEqualTo((byte) BgpMessage.NOTIFICATION);
        byte[] data = java.util.Arrays.copyOfRange(message, 21, message.length);
        return new Notification(message[19] & 0xFF, message[20] & 0xFF, data);
    }

    private static byte[] readMessage(DataInputStream in) throws IOException {
        byte[] header = new byte[19];
        in.readFully(header);
        int length = (header[16] & 0xFF) << 8 | header[17] & 0xFF;
        byte[] message = new byte[length];
        System.arraycopy(header, 0, message, 0, 19);
        in.readFully(message, 19, length - 19);
        return message;
    }
}
