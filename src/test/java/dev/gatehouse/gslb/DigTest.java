package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Tools;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The static zone through real clients: dig (dnsutils) and kdig (knot-dnsutils), over UDP and TCP on loopback. */
@Timeout(120)
class DigTest {

    private static TestZones.Server server;
    private static String dig;
    private static String kdig;

    @BeforeAll
    static void start() throws Exception {
        dig = Tools.require("dig", "dnsutils").toString();
        kdig = Tools.require("kdig", "knot-dnsutils").toString();
        server = TestZones.startStatic("127.0.0.1");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String dig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(dig, "@" + server.host(), "-p", String.valueOf(server.port()), "+norec",
                "+time=2", "+tries=1"));
        cmd.addAll(List.of(args));
        return Tools.run(cmd, null, null).text();
    }

    private static String kdig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(kdig, "@" + server.host(), "-p", String.valueOf(server.port()), "+norec",
                "+time=2", "+retry=0"));
        cmd.addAll(List.of(args));
        return Tools.run(cmd, null, null).text();
    }

    @Test
    void answersAuthoritativelyWithEachRecordsTtl() throws Exception {
        String out = dig("www.example.com", "A");
        assertThat(out).contains("status: NOERROR").containsPattern("flags: qr aa;")
                .containsPattern("www\\.example\\.com\\.\\s+300\\s+IN\\s+A\\s+192\\.0\\.2\\.1");
        assertThat(dig("mail.example.com", "A")).containsPattern("mail\\.example\\.com\\.\\s+600\\s+IN\\s+A\\s+192\\.0\\.2\\.25");
        assertThat(dig("+short", "www.example.com", "AAAA")).isEqualTo("2001:db8::1\n");
    }

    @Test
    void everyStaticType() throws Exception {
        assertThat(dig("+short", "example.com", "MX")).contains("10 mail.example.com.", "20 mx2.example.net.");
        assertThat(dig("+short", "example.com", "TXT")).isEqualTo("\"v=spf1 mx -all\"\n");
        assertThat(dig("+short", "_sip._udp.example.com", "SRV")).isEqualTo("0 5 5060 sip.example.com.\n");
        assertThat(dig("+short", "example.com", "CAA")).isEqualTo("0 issue \"ca.example.net\"\n");
        assertThat(dig("+short", "example.com", "NS")).isEqualTo("ns1.example.com.\n");
        assertThat(dig("alias.example.com", "A")).containsPattern("alias\\.example\\.com\\.\\s+300\\s+IN\\s+CNAME\\s+www\\.example\\.com\\.")
                .containsPattern("www\\.example\\.com\\.\\s+300\\s+IN\\s+A\\s+192\\.0\\.2\\.1");
    }

    @Test
    void nxdomainAndNodataCarryTheSoaAtTheNegativeTtl() throws Exception {
        String nx = dig("nope.example.com", "A");
        assertThat(nx).contains("status: NXDOMAIN").containsPattern("flags: qr aa;")
                .containsPattern("example\\.com\\.\\s+60\\s+IN\\s+SOA\\s+ns1\\.example\\.com\\. hostmaster\\.example\\.com\\.");
        String nodata = dig("www.example.com", "MX");
        assertThat(nodata).contains("status: NOERROR", "ANSWER: 0, AUTHORITY: 1").containsPattern("example\\.com\\.\\s+60\\s+IN\\s+SOA");
        assertThat(dig("b.c.example.com", "A")).as("an empty non-terminal exists").contains("status: NOERROR", "ANSWER: 0");
    }

    @Test
    void namesMatchInAnyCaseAndTheQuestionComesBackAsSent() throws Exception {
        String out = dig("WwW.ExAmPlE.CoM", "A");
        assertThat(out).contains("status: NOERROR", ";WwW.ExAmPlE.CoM.\t\tIN\tA").contains("192.0.2.1");
    }

    @Test
    void refusesNamesOutsideTheZone() throws Exception {
        assertThat(dig("www.example.org", "A")).contains("status: REFUSED").doesNotContainPattern("flags: qr aa");
    }

    @Test
    void truncatesWhatDoesNotFitAndTheClientRetriesOverTcp() throws Exception {
        String udpOnly = dig("+ignore", "+bufsize=512", "big.example.com", "TXT");
        assertThat(udpOnly).containsPattern("flags: qr aa tc;").contains("ANSWER: 0");
        String retried = dig("+bufsize=512", "big.example.com", "TXT");
        assertThat(retried).contains("Truncated, retrying in TCP mode", "ANSWER: 4");
        assertThat(dig("+bufsize=1232", "big.example.com", "TXT")).as("fits in 1232").doesNotContain("Truncated").contains("ANSWER: 4");
        assertThat(dig("+noedns", "+ignore", "big.example.com", "TXT")).as("512 without EDNS").containsPattern("flags: qr aa tc;");
        assertThat(kdig("+tcp", "big.example.com", "TXT")).contains("ANSWER: 4").contains("(TCP)");
    }

    @Test
    void ednsIsEchoedAndNewerVersionsGetBadvers() throws Exception {
        assertThat(dig("+dnssec", "www.example.com", "A")).contains("EDNS: version: 0, flags: do; udp: 1232");
        assertThat(kdig("+edns=1", "+noidn", "www.example.com", "A")).contains("status: BADVERS");
        assertThat(dig("+noedns", "www.example.com", "A")).doesNotContain("OPT PSEUDOSECTION");
    }

    @Test
    void anyGetsOneRecordSet() throws Exception {
        String out = dig("www.example.com", "ANY");
        assertThat(out).contains("ANSWER: 1,").containsPattern("IN\\s+A\\s+192\\.0\\.2\\.1");
    }

    @Test
    void otherOpcodesAreNotImplemented() throws Exception {
        assertThat(dig("+opcode=status", "www.example.com", "A")).contains("opcode: STATUS, status: NOTIMP");
    }

    @Test
    void delegationsAreReferrals() throws Exception {
        String out = dig("host.sub.example.com", "A");
        assertThat(out).contains("status: NOERROR").doesNotContainPattern("flags: qr aa")
                .containsPattern("sub\\.example\\.com\\.\\s+300\\s+IN\\s+NS\\s+ns\\.sub\\.example\\.com\\.")
                .containsPattern("ns\\.sub\\.example\\.com\\.\\s+300\\s+IN\\s+A\\s+192\\.0\\.2\\.53");
    }

    @Test
    void transfersGoOnlyToSecondaries() throws Exception {
        assertThat(dig("example.com", "AXFR")).contains("Transfer failed");
        assertThat(kdig("example.com", "AXFR")).contains("REFUSED");
    }
}
