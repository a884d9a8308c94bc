package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session tickets survive one rotation of the ticket keys (the previous key still decrypts) and not two; a
 * certificate reload keeps them, since every context gets the same keys. Driven by openssl s_client against a bare
 * Netty server with a listener's TLS handlers.
 */
@Timeout(120)
class TicketKeysTest {

    @TempDir
    Path dir;

    @Test
    void aTicketResumesAcrossOneRotationAndAReloadButNotTwoRotations() throws Exception {
        TestCerts certs = TestCerts.in(dir);
        TestCerts.Leaf leaf = certs.ecdsa("site", "a.test");
        TlsService service = new TlsService(new SimpleMeterRegistry(), (subject, detail) -> { }, Clock.systemUTC());
        TlsSettings settings = new TlsSettings(List.of(new TlsSettings.CertificatePair(leaf.cert(), leaf.key())),
                "1.2", TlsSettings.DEFAULT_CIPHERS, TlsSettings.DEFAULT_GROUPS, TlsSettings.DEFAULT_ALPN);
        service.stage(Map.of("web", settings)).commit();
        ListenerTls tls = service.listener("web");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            tls.install(ch, Duration.ofSeconds(5));
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            Path session = dir.resolve("session.pem");
            assertThat(handshake(port, "-sess_out", session.toString())).contains("New, TLSv1.2");
            assertThat(handshake(port, "-sess_in", session.toString())).contains("Reused, TLSv1.2");

            service.rotateTicketKeys();
            assertThat(handshake(port, "-sess_in", session.toString())).contains("Reused, TLSv1.2");

            certs.ecdsa("site", "a.test"); // renewed in place
            assertThat(service.reloadFiles()).isEmpty();
            assertThat(handshake(port, "-sess_in", session.toString())).contains("Reused, TLSv1.2");

            service.rotateTicketKeys();
            assertThat(handshake(port, "-sess_in", session.toString())).contains("New, TLSv1.2");
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** A TLS 1.2 handshake by s_client (whose tickets come within the handshake), with its session options. */
    private String handshake(int port, String... session) throws Exception {
        String[] command = {"openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "a.test", "-tls1_2",
            session[0], session[1]};
        return Tools.run(dir, Duration.ofSeconds(20), "", command).output();
    }
}
