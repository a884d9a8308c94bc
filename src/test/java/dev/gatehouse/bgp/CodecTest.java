package dev.gatehouse.bgp;

import static dev.gatehouse.bgp.Frames.AS_PATH_65000;
import static dev.gatehouse.bgp.Frames.NEXT_HOP;
import static dev.gatehouse.bgp.Frames.NLRI_32;
import static dev.gatehouse.bgp.Frames.ORIGIN_IGP;
import static dev.gatehouse.bgp.Frames.concat;
import static dev.gatehouse.bgp.Frames.of;
import static dev.gatehouse.bgp.Frames.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CodecTest {

    private static BgpMessage read(byte[] frame) throws MessageError {
        ByteBuf in = Unpooled.wrappedBuffer(frame);
        assertThat(MessageReader.frameLength(in)).isEqualTo(frame.length);
        return MessageReader.read(in);
    }

    private static Notification refusal(byte[] frame) {
        try {
            read(frame);
        } catch (MessageError e) {
            return e.notification();
        }
        throw new AssertionError("accepted");
    }

    private static byte[] written(BgpMessage message) {
        ByteBuf out = Unpooled.buffer();
        MessageWriter.write(message, out);
        return Frames.bytes(out);
    }

    @Test
    void anOpenWithAFourOctetAsCarriesAsTransAndReadsBack() throws Exception {
        Inet4Address id = (Inet4Address) InetAddress.getByName("192.0.2.1");
        byte[] wire = written(new Open(4, Open.AS_TRANS, 9, id, 4_200_000_001L,
                EnumSet.allOf(AddressFamily.class), true));
        assertThat(wire[19]).isEqualTo((byte) 4);
        assertThat(((wire[20] & 0xFF) << 8) | (wire[21] & 0xFF)).isEqualTo(23456);

        Open open = (Open) read(wire);
        assertThat(open.peerAs()).isEqualTo(4_200_000_001L);
        assertThat(open.holdTime()).isEqualTo(9);
        assertThat(open.identifier()).isEqualTo(id);
        assertThat(open.families()).containsExactlyInAnyOrder(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    }

    @Test
    void anOpenWithoutMultiprotocolImpliesIpv4Only() throws Exception {
        Open open = (Open) read(Frames.open(65000, 90, new int[] {192, 0, 2, 2}, new byte[0]));
        assertThat(open.supports(AddressFamily.IPV4_UNICAST)).isTrue();
        assertThat(open.supports(AddressFamily.IPV6_UNICAST)).isFalse();
        assertThat(open.fourOctetAs()).isEqualTo(-1);
    }

    @Test
    void headerFaultsGetMessageHeaderErrors() {
        byte[] keepalive = Frames.frame(BgpMessage.KEEPALIVE, new byte[0]);
        byte[] badMarker = keepalive.clone();
        badMarker[3] = 0;
        assertThat(refusal(badMarker)).isEqualTo(new Notification(1, 1));

        byte[] tooShort = keepalive.clone();
        tooShort[17] = 18;
        assertThat(refusal(tooShort)).isEqualTo(new Notification(1, 2, of(0, 18)));
        byte[] tooLong = keepalive.clone();
        tooLong[16] = 0x10;
        tooLong[17] = 0x01; // 4097
        assertThat(refusal(tooLong)).isEqualTo(new Notification(1, 2, of(0x10, 0x01)));
        assertThat(refusal(Frames.frame(BgpMessage.KEEPALIVE, of(0)))).isEqualTo(new Notification(1, 2, of(0, 20)));
        assertThat(refusal(Frames.frame(5, new byte[0]))).isEqualTo(new Notification(1, 3, of(5)));
    }

    @Test
    void anOpenOfAnotherVersionIsRefusedNamingVersionFour() {
        byte[] open = Frames.open(65000, 90, new int[] {192, 0, 2, 2}, Frames.capabilities(65000));
        open[19] = 3;
        assertThat(refusal(open)).isEqualTo(new Notification(2, 1, of(0, 4)));
    }

    @Test
    void ourAnnouncementsAndWithdrawalsReadBackAsWellFormedUpdates() throws Exception {
        PathAttributes path = new PathAttributes(65001, false, InetAddress.getByName("192.0.2.1"),
                MessageWriter.ipv6(InetAddress.getByName("192.0.2.1")));
        Route v4 = new Route(InetAddress.getByName("198.51.100.10"), List.of(Community.parse("65001:100")));
        Route v6 = new Route(InetAddress.getByName("2001:db8::10"), List.of());
        assertThat(read(written(new RouteUpdate(v4, false, path)))).isEqualTo(new ReceivedUpdate(1, 0));
        assertThat(read(written(new RouteUpdate(v4, true, path)))).isEqualTo(new ReceivedUpdate(0, 1));
        assertThat(read(written(new RouteUpdate(v6, false, path)))).isEqualTo(new ReceivedUpdate(1, 0));
        assertThat(read(written(new RouteUpdate(v6, true, path)))).isEqualTo(new ReceivedUpdate(0, 1));
        PathAttributes internal = new PathAttributes(65001, true, path.nextHop4(), path.nextHop6());
        assertThat(read(written(new RouteUpdate(v4, false, internal)))).isEqualTo(new ReceivedUpdate(1, 0));
    }

    @Test
    void anAnnouncementIsLaidOutAsRfc4271Says() throws Exception {
        PathAttributes path = new PathAttributes(65001, false, InetAddress.getByName("192.0.2.1"), null);
        byte[] wire = written(new RouteUpdate(new Route(InetAddress.getByName("198.51.100.10"),
                List.of(Community.GRACEFUL_SHUTDOWN)), false, path));
        byte[] expectedBody = concat(of(0, 0, 0, 27), ORIGIN_IGP, of(0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xE9),
                of(0x40, 3, 4, 192, 0, 2, 1), of(0xC0, 8, 4, 0xFF, 0xFF, 0, 0), of(32, 198, 51, 100, 10));
        assertThat(wire).isEqualTo(Frames.frame(BgpMessage.UPDATE, expectedBody));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // name | attributes (hex) | nlri (hex) | expected code/subcode | expected data (hex)
        "ORIGIN flagged optional|c0010100 4002060201 0000fde8 40030 4c0000202||3/4|c0010100",
        "ORIGIN of value 3|40010103 4002060201 0000fde8 40030 4c0000202||3/6|40010103",
        "ORIGIN of length 2|4001020000 4002060201 0000fde8 40030 4c0000202||3/5|4001020000",
        "missing NEXT_HOP|40010100 4002060201 0000fde8|20c6336401|3/3|03",
        "missing ORIGIN|4002060201 0000fde8 40030 4c0000202|20c6336401|3/3|01",
        "duplicate ORIGIN|40010100 40010100 4002060201 0000fde8 40030 4c0000202||3/1|",
        "unknown well-known attribute|40010100 4063 0100||3/2|40630100",
        "AS_PATH segment type 9|40010100 4002060901 0000fde8 40030 4c0000202||3/11|",
        "AS_PATH count past its end|40010100 4002060202 0000fde8 40030 4c0000202||3/11|",
        "NEXT_HOP 0.0.0.0|40010100 4002060201 0000fde8 40030 400000000|20c6336401|3/8|4003040000 0000",
        "NEXT_HOP multicast|40010100 4002060201 0000fde8 40030 4e0000001|20c6336401|3/8|400304e0 000001",
        "COMMUNITIES of length 3|c0080300 0000||3/9|c0080300 0000",
        "attribute length overrunning the list|40010500||3/5|400105 00",
        "NLRI prefix of 33 bits|40010100 4002060201 0000fde8 40030 4c0000202|21c633640101|3/10|",
        "MP_REACH_NLRI truncated|40010100 4002060201 0000fde8 800e0200 02||3/9|800e0200 02",
    })
    void attributeFaultsGetTheirUpdateErrors(String name, String attributes, String nlri, String expected, String data) {
        String[] codes = expected.split("/");
        Notification got = refusal(update(new byte[0], hex(attributes), hex(nlri)));
        assertThat(got).as(name).isEqualTo(new Notification(Integer.parseInt(codes[0]), Integer.parseInt(codes[1]),
                hex(data)));
    }

    @Test
    void aWithdrawnRoutesLengthPastTheMessageIsAMalformedAttributeList() {
        byte[] body = of(0, 40, 32, 198, 51, 100, 1, 0, 0);
        assertThat(refusal(Frames.frame(BgpMessage.UPDATE, body))).isEqualTo(new Notification(3, 1));
    }

    @Test
    void aWellFormedUpdateIsCounted() throws Exception {
        byte[] frame = update(of(32, 198, 51, 100, 9), concat(ORIGIN_IGP, AS_PATH_65000, NEXT_HOP,
                of(0x80, 0x63, 1, 7)), NLRI_32); // and an unknown optional attribute, ignored
        assertThat(read(frame)).isEqualTo(new ReceivedUpdate(1, 1));
    }

    @Test
    void aShutdownCommunicationIsCutTo128OctetsOnACharacterBoundary() throws Exception {
        Notification n = Notification.shutdown("é".repeat(100)); // 200 octets of UTF-8
        assertThat(n.data()[0]).isEqualTo((byte) 128);
        assertThat(n.communication()).isEqualTo("é".repeat(64));
        Notification back = (Notification) read(written(Notification.shutdown("maintenance of lb1")));
        assertThat(back.communication()).isEqualTo("maintenance of lb1");
        assertThat(back.describe()).isEqualTo("6/2 cease: administrative shutdown \"maintenance of lb1\"");
    }

    @Test
    void communitiesParseByNumberOrName() {
        assertThat(Community.parse("65001:100")).isEqualTo(new Community(65001, 100));
        assertThat(Community.parse("graceful_shutdown")).isEqualTo(Community.GRACEFUL_SHUTDOWN);
        assertThat(Community.parse("no_export").value()).isEqualTo(0xFFFFFF01);
        assertThatThrownBy(() -> Community.parse("65536:1")).hasMessageContaining("0-65535");
        assertThatThrownBy(() -> Community.parse("100")).hasMessageContaining("ASN:VALUE");
    }

    private static byte[] hex(String text) {
        String digits = text == null ? "" : text.replace(" ", "");
        return java.util.HexFormat.of().parseHex(digits);
    }
}
