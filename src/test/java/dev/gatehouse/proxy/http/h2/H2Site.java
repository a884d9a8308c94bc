package dev.gatehouse.proxy.http.h2;

import dev.gatehouse.Tools;
import dev.gatehouse.node.TestNode;
import dev.gatehouse.tls.TestCerts;
import java.nio.file.Path;

/**
 * A node in {@code dir} whose TLS listener "web" offers h2 and http/1.1 (certificate for a.test, CA in ca.crt), and
 * whose cleartext listener "plain" takes h2c by prior knowledge, in front of an {@link EchoBackend}; {@code idle} is
 * the listeners' idle timeout.
 */
record H2Site(EchoBackend backend, TestNode lb, int port, int plainPort) implements AutoCloseable {

    static H2Site start(Path dir, String idle) throws Exception {
        Tools.require("curl", "curl");
        TestCerts.in(dir).ecdsa("site", "a.test");
        EchoBackend backend = new EchoBackend();
        try {
            TestNode lb = TestNode.start(dir, 0, """
                    node: { id: lb1 }
                    listeners:
                      - name: web
                        bind: 127.0.0.1:0
                        tls: { certificates: [ { cert: site.crt, key: site.key } ], alpn: [ h2, http/1.1 ] }
                        timeouts: { idle: IDLE }
                        routes: [ { pool: web } ]
                      - name: plain
                        bind: 127.0.0.1:0
                        h2c: true
                        timeouts: { idle: IDLE }
                        routes: [ { pool: web } ]
                    pools:
                      web: { endpoints: [ { address: "BACKEND" } ] }
                    """.replace("BACKEND", backend.address()).replace("IDLE", idle));
            return new H2Site(backend, lb, lb.node.listenerAddress("web").getPort(), lb.node.listenerAddress("plain").getPort());
        } catch (Exception e) {
            backend.close();
            throw e;
        }
    }

    @Override
    public void close() {
        lb.close();
        backend.close();
    }
}
