package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.GslbConfig;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.time.Ticker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/** Zones for the DNS tests: a static one that every feature of the server touches, and servers started on them. */
final class TestZones {

    /** A TXT value long enough that four of them do not fit in 512 bytes. */
    static final String LONG_TEXT = "x".repeat(200);

    /** The static zone (apex example.com.), as the {@code gslb.records} of a config. */
    static final String STATIC_RECORDS = """
              - { name: ns1.example.com., type: A, value: 127.0.0.2 }
              - { name: www.example.com., type: A, value: 192.0.2.1 }
              - { name: www.example.com., type: AAAA, value: "2001:db8::1" }
              - { name: alias.example.com., type: CNAME, value: www.example.com. }
              - { name: chain.example.com., type: CNAME, value: alias }
              - { name: outside.example.com., type: CNAME, value: www.example.org. }
              - { name: dangling.example.com., type: CNAME, value: nothing.example.com. }
              - { name: example.com., type: MX, values: ["10 mail.example.com.", "20 mx2.example.net."] }
              - { name: mail.example.com., type: A, value: 192.0.2.25, ttl: 600 }
              - { name: example.com., type: TXT, value: "v=spf1 mx -all" }
              - { name: _sip._udp.example.com., type: SRV, value: "0 5 5060 sip.example.com." }
              - { name: sip.example.com., type: AAAA, value: "2001:db8::5060" }
              - { name: example.com., type: CAA, value: '0 issue "ca.example.net"' }
              - { name: a.b.c.example.com., type: A, value: 192.0.2.5 }
              - { name: big.example.com., type: TXT, values: [%1$s, %2$s, %3$s, %4$s] }
              - { name: sub.example.com., type: NS, value: ns.sub.example.com. }
              - { name: ns.sub.example.com., type: A, value: 192.0.2.53 }
            """.formatted("a" + LONG_TEXT, "b" + LONG_TEXT, "c" + LONG_TEXT, "d" + LONG_TEXT);

    private TestZones() {}

    /** A config with only {@code node:} and {@code gslb:} whose records are {@code records}; extra keys in {@code more}. */
    static GslbConfig config(String bind, String records, String more) {
        String yaml = """
                node: { id: dns1 }
                gslb:
                  bind: %s
                  zone: example.com.
                  ns: [ns1.example.com.]
                  soa: { rname: hostmaster.example.com., ttl: 3600, refresh: 3600, retry: 600, expire: 1209600, minimum: 60 }
                %s
                  records:
                %s""".formatted(bind, more.indent(2).stripTrailing(), records);
        ConfigResult r = ConfigLoader.parse(yaml, "test.yaml");
        assertThat(r.errorLines()).as(yaml).isEmpty();
        return r.config().gslb();
    }

    /** A running server and what it published. */
    record Server(Gslb gslb, Transport transport, PrometheusMeterRegistry registry, List<String> events) implements AutoCloseable {

        String host() {
            return gslb.address().getAddress().getHostAddress();
        }

        int port() {
            return gslb.address().getPort();
        }

        @Override
        public void close() {
            gslb.close();
            transport.shutdownGracefully().syncUninterruptibly();
        }
    }

    /** Starts {@code config}'s server; checks run only when the test calls {@link Gslb#probeDue()}, on {@code runner}. */
    static Server start(GslbConfig config, Ticker ticker, Executor runner) throws Exception {
        return start(config, "dns1", ticker, runner);
    }

    /** As {@link #start(GslbConfig, Ticker, Executor)}, for node {@code node}. */
    static Server start(GslbConfig config, String node, Ticker ticker, Executor runner) throws Exception {
        Transport transport = Transport.create(1);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<String> events = new CopyOnWriteArrayList<>();
        Gslb gslb = Gslb.manual(config, node, transport, registry, (type, subject, detail) -> events.add(subject + ": " + detail),
                ticker, runner);
        return new Server(gslb, transport, registry, events);
    }

    static Server startStatic(String bindHost) throws Exception {
        return start(config(bindHost + ":0", STATIC_RECORDS, "secondaries: [127.0.0.3:53]"), Ticker.system(), Runnable::run);
    }
}
