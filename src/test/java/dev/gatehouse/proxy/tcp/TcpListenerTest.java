package dev.gatehouse.proxy.tcp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.config.Bind;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.PoolTimeouts;
import dev.gatehouse.config.Protocol;
import dev.gatehouse.limit.ClientLimits;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.route.RouteTable;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.proxy.RecordingOutcomes;
import dev.gatehouse.proxy.TestBackend;
import dev.gatehouse.proxy.TestPools;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.time.ManualTicker;
import dev.gatehouse.tls.TlsService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The TCP relay end to end over loopback, on every transport this platform offers. */
@ParameterizedClass(name = "transport: {0}")
@EnumSource(Transport.Kind.class)
class TcpListenerTest {

    private static final int MIB = 1024 * 1024;

    @Parameter
    Transport.Kind kind;

    private Transport transport;
    private final ListenerStats stats = new ListenerStats();
    private final ManualTicker ticker = new ManualTicker();
    private final ClientLimits limits = new ClientLimits(ticker);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TcpListener listener;

    @BeforeEach
    void startTransport() {
        assumeTrue(kind.isAvailable(), kind + " is not available here");
        transport = Transport.create(2, kind);
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        if (listener != null) {
            listener.closeAll();
            listener.stop().await(5, TimeUnit.SECONDS);
        }
        assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void echoesThroughTheRelayAndSpreadsConnectionsOverEveryEndpoint() throws Exception {
        TestBackend a = backend(TestBackend.ECHO);
        TestBackend b = backend(TestBackend.ECHO);
        TestBackend c = backend(TestBackend.ECHO);
        listen(TestPools.roundRobin("rr", a.address(), b.address(), c.address()), 0);

        long sent = 0;
        for (int i = 0; i < 6; i++) {
            byte[] msg = ("hello-" + i).getBytes(US_ASCII);
            try (Socket client = client()) {
                assertThat(roundTrip(client, msg)).isEqualTo(msg);
            }
            sent += msg.length;
        }

        assertThat(List.of(a.accepted(), b.accepted(), c.accepted())).containsExactly(2, 2, 2);
        assertThat(stats.accepted()).isEqualTo(6);
        assertThat(stats.bytesIn()).isEqualTo(sent);
        assertThat(stats.bytesOut()).isEqualTo(sent);
    }

    /**
     * The backend pushes 64 MiB at a client that reads nothing. With backpressure the relay stops reading
     * the backend once the client's socket buffers are full, so what it has taken from the backend stays
     * within the kernel's buffers towards the client (4 MiB send buffer on this machine's defaults) plus
     * one write-buffer mark. Without it the relay would swallow all 64 MiB into memory.
     */
    @Test
    void aClientThatDoesNotReadStallsTheBackendInsteadOfFillingMemory() throws Exception {
        long total = 64L * MIB;
        AtomicLong backendWrote = new AtomicLong();
        CRC32 sentCrc = new CRC32();
        TestBackend backend = backend(s -> {
            OutputStream out = s.getOutputStream();
            Random random = new Random(42);
            byte[] chunk = new byte[64 * 1024];
            for (long off = 0; off < total; off += chunk.length) {
                random.nextBytes(chunk);
                sentCrc.update(chunk);
                out.write(chunk);
                backendWrote.addAndGet(chunk.length);
            }
            s.shutdownOutput();
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
        listen(TestPools.roundRobin("bulk", backend.address()), 0);

        Socket client = new Socket();
        toClose.add(client);
        client.setReceiveBufferSize(64 * 1024);
        client.setSoTimeout(10_000);
        client.connect(listener.localAddress(), 2_000);

        AtomicLong lastSeen = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    long now = stats.bytesOut();
                    return now > 0 && now == lastSeen.getAndSet(now);
                });
        long relayedWhileStalled = stats.bytesOut();
        long backendWroteWhileStalled = backendWrote.get();
        System.out.printf("stalled: relay read %d KiB from the backend, backend wrote %d KiB of %d KiB%n",
                relayedWhileStalled / 1024, backendWroteWhileStalled / 1024, total / 1024);
        assertThat(relayedWhileStalled).isLessThan(8L * MIB);
        assertThat(backendWroteWhileStalled).isLessThan(total);

        CRC32 receivedCrc = new CRC32();
        long received = 0;
        byte[] buf = new byte[256 * 1024];
        InputStream in = client.getInputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
            receivedCrc.update(buf, 0, n);
            received += n;
        }
        assertThat(received).isEqualTo(total);
        assertThat(receivedCrc.getValue()).isEqualTo(sentCrc.getValue());
    }

    @Test
    void halfCloseLetsTheBackendReplyAfterTheClientFinishedSending() throws Exception {
        byte[] request = randomBytes(100 * 1024, 1);
        byte[] reply = randomBytes(MIB, 2);
        AtomicLong requestSeen = new AtomicLong(-1);
        TestBackend backend = backend(s -> {
            // Returns only at the client's FIN, which the relay must pass on.
            requestSeen.set(s.getInputStream().transferTo(OutputStream.nullOutputStream()));
            s.getOutputStream().write(reply);
        });
        listen(TestPools.roundRobin("half", backend.address()), 0);

        try (Socket client = client()) {
            client.getOutputStream().write(request);
            client.shutdownOutput();
            assertThat(client.getInputStream().readAllBytes()).isEqualTo(reply);
        }
        assertThat(requestSeen.get()).isEqualTo(request.length);
    }

    @Test
    void aRefusedConnectIsRetriedOnAnotherEndpointUnseenByTheClient() throws Exception {
        InetSocketAddress dead = TestPools.deadAddress();
        TestBackend live = backend(TestBackend.ECHO);
        Pool pool = TestPools.roundRobin("retry", TestPools.TIMEOUTS, 1, false, dead, live.address());
        RecordingOutcomes outcomes = new RecordingOutcomes();
        pool.outcomes(outcomes);
        listen(pool, 0);

        try (Socket client = client()) {
            byte[] msg = "still served".getBytes(US_ASCII);
            assertThat(roundTrip(client, msg)).isEqualTo(msg);
        }
        assertThat(outcomes.events()).containsExactly(
                "failure retry/127.0.0.1:" + dead.getPort(), "success retry/127.0.0.1:" + live.address().getPort());
    }

    @Test
    void whenEveryEndpointRefusesTheClientIsClosed() throws Exception {
        InetSocketAddress dead1 = TestPools.deadAddress();
        InetSocketAddress dead2 = TestPools.deadAddress();
        Pool pool = TestPools.roundRobin("dead", TestPools.TIMEOUTS, 2, false, dead1, dead2);
        RecordingOutcomes outcomes = new RecordingOutcomes();
        pool.outcomes(outcomes);
        listen(pool, 0);

        try (Socket client = client()) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        // Two retries allowed, but only two endpoints: each is tried once.
        assertThat(outcomes.events()).containsExactly(
                "failure dead/127.0.0.1:" + dead1.getPort(), "failure dead/127.0.0.1:" + dead2.getPort());
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.active() == 0);
    }

    /**
     * A listener whose accept queue is full drops new SYNs, so a connect to it hangs until our timeout.
     * Skipped when the kernel does not behave that way (the backlog could not be filled).
     */
    @Test
    void aConnectThatHangsTimesOutAndMovesOnToAnotherEndpoint() throws Exception {
        ServerSocket blackhole = new ServerSocket(0, 1, TestBackend.LOOPBACK);
        toClose.add(blackhole);
        assumeTrue(fillBacklog((InetSocketAddress) blackhole.getLocalSocketAddress()), "accept queue could not be filled");
        TestBackend live = backend(TestBackend.ECHO);
        PoolTimeouts timeouts = new PoolTimeouts(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ZERO);
        Pool pool = TestPools.roundRobin("slow", timeouts, 1, false,
                (InetSocketAddress) blackhole.getLocalSocketAddress(), live.address());
        RecordingOutcomes outcomes = new RecordingOutcomes();
        pool.outcomes(outcomes);
        listen(pool, 0);

        long start = System.nanoTime();
        try (Socket client = client()) {
            byte[] msg = "after a timeout".getBytes(US_ASCII);
            assertThat(roundTrip(client, msg)).isEqualTo(msg);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(outcomes.events()).containsExactly(
                "failure slow/127.0.0.1:" + blackhole.getLocalPort(), "success slow/127.0.0.1:" + live.address().getPort());
    }

    @Test
    void idleTimeoutClosesBothSides() throws Exception {
        TestBackend backend = backend(TestBackend.ECHO);
        PoolTimeouts timeouts = new PoolTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(300));
        listen(TestPools.roundRobin("idle", timeouts, 0, false, backend.address()), 0);

        try (Socket client = client()) {
            byte[] msg = "then silence".getBytes(US_ASCII);
            assertThat(roundTrip(client, msg)).isEqualTo(msg);
            long quietSince = System.nanoTime();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.finished() == 1 && stats.active() == 0);
    }

    @Test
    void proxyProtocolHeaderPrecedesThePayload() throws Exception {
        AtomicReference<byte[]> header = new AtomicReference<>();
        TestBackend backend = backend(s -> {
            InputStream in = s.getInputStream();
            byte[] fixed = in.readNBytes(16);
            int length = (fixed[14] & 0xff) << 8 | fixed[15] & 0xff;
            byte[] addresses = in.readNBytes(length);
            byte[] whole = Arrays.copyOf(fixed, 16 + addresses.length);
            System.arraycopy(addresses, 0, whole, 16, addresses.length);
            header.set(whole);
            in.transferTo(s.getOutputStream());
            s.shutdownOutput();
        });
        listen(TestPools.roundRobin("pp", TestPools.TIMEOUTS, 0, true, backend.address()), 0);

        int clientPort;
        try (Socket client = client()) {
            clientPort = client.getLocalPort();
            byte[] msg = "payload after header".getBytes(US_ASCII);
            assertThat(roundTrip(client, msg)).isEqualTo(msg);
        }

        byte[] h = header.get();
        assertThat(Arrays.copyOf(h, 12)).containsExactly(0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A);
        assertThat(h[12]).isEqualTo((byte) 0x21); // version 2, PROXY
        assertThat(h[13]).isEqualTo((byte) 0x11); // TCP over IPv4
        assertThat(h).hasSize(16 + 12);
        assertThat(Arrays.copyOfRange(h, 16, 20)).containsExactly(127, 0, 0, 1);
        assertThat(Arrays.copyOfRange(h, 20, 24)).containsExactly(127, 0, 0, 1);
        assertThat((h[24] & 0xff) << 8 | h[25] & 0xff).isEqualTo(clientPort);
        assertThat((h[26] & 0xff) << 8 | h[27] & 0xff).isEqualTo(listener.localAddress().getPort());

        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        decoder.writeInbound(Unpooled.wrappedBuffer(h));
        HAProxyMessage decoded = decoder.readInbound();
        try {
            assertThat(decoded.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(decoded.sourceAddress()).isEqualTo("127.0.0.1");
            assertThat(decoded.sourcePort()).isEqualTo(clientPort);
            assertThat(decoded.destinationPort()).isEqualTo(listener.localAddress().getPort());
        } finally {
            decoded.release();
            decoder.finishAndReleaseAll();
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreClosedAndCounted() throws Exception {
        TestBackend backend = backend(TestBackend.ECHO);
        listen(TestPools.roundRobin("limited", backend.address()), 2);
        byte[] msg = "in".getBytes(US_ASCII);

        Socket first = client();
        Socket second = client();
        assertThat(roundTrip(first, msg)).isEqualTo(msg);
        assertThat(roundTrip(second, msg)).isEqualTo(msg);
        try (Socket third = client()) {
            assertThat(third.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(stats.refusedByLimit()).isEqualTo(1);
        assertThat(stats.accepted()).isEqualTo(3);
        assertThat(listener.activeConnections()).isEqualTo(2);

        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.activeConnections() == 1);
        try (Socket fourth = client()) {
            assertThat(roundTrip(fourth, msg)).isEqualTo(msg);
        }
        assertThat(stats.refusedByLimit()).isEqualTo(1);
    }

    @Test
    void eachConnectionTakesATokenOfItsClientsRate() throws Exception {
        TestBackend backend = backend(TestBackend.ECHO);
        Pool pool = TestPools.roundRobin("rated", backend.address());
        listen(name -> pool, pool.name(), new LimitsConfig(0, new LimitsConfig.PerClient(1, 2, 0)));
        byte[] msg = "in".getBytes(US_ASCII);

        for (int i = 0; i < 2; i++) {
            try (Socket s = client()) {
                assertThat(roundTrip(s, msg)).isEqualTo(msg);
            }
        }
        try (Socket third = client()) {
            assertThat(third.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(stats.refusedByRate()).isEqualTo(1);
        assertThat(backend.accepted()).isEqualTo(2);

        ticker.advance(Duration.ofSeconds(1));
        try (Socket afterRefill = client()) {
            assertThat(roundTrip(afterRefill, msg)).isEqualTo(msg);
        }
        assertThat(backend.accepted()).isEqualTo(3);
    }

    @Test
    void aClientOverItsConnectionCapIsClosedUntilOneOfItsConnectionsEnds() throws Exception {
        TestBackend backend = backend(TestBackend.ECHO);
        Pool pool = TestPools.roundRobin("capped", backend.address());
        listen(name -> pool, pool.name(), new LimitsConfig(0, new LimitsConfig.PerClient(1000, 1000, 2)));
        byte[] msg = "in".getBytes(US_ASCII);

        Socket first = client();
        Socket second = client();
        assertThat(roundTrip(first, msg)).isEqualTo(msg);
        assertThat(roundTrip(second, msg)).isEqualTo(msg);
        try (Socket third = client()) {
            assertThat(third.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(stats.refusedByClientCap()).isEqualTo(1);
        assertThat(stats.refusedByRate()).isZero();

        first.close();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            try (Socket next = client()) {
                assertThat(roundTrip(next, msg)).isEqualTo(msg);
            }
        });
        assertThat(roundTrip(second, msg)).isEqualTo(msg);
    }

    @Test
    void endpointCountersFollowTheRelaysAndReturnToZero() throws Exception {
        TestBackend backend = backend(TestBackend.ECHO);
        Pool pool = TestPools.roundRobin("counted", backend.address());
        listen(pool, 0);
        Endpoint endpoint = pool.endpoints().getFirst();
        byte[] msg = "x".getBytes(US_ASCII);

        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket c = client();
            assertThat(roundTrip(c, msg)).isEqualTo(msg);
            clients.add(c);
        }
        assertThat(endpoint.activeRequests().get()).isEqualTo(3);
        assertThat(endpoint.connections().size()).isEqualTo(3);

        for (Socket c : clients) {
            c.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                endpoint.activeRequests().get() == 0 && endpoint.connections().isEmpty() && stats.active() == 0);
        assertThat(backend.finished()).isEqualTo(3);
    }

    @Test
    void aSwappedPoolTakesNewConnectionsWhileEstablishedOnesStay() throws Exception {
        TestBackend oldBackend = backend(TestBackend.ECHO);
        TestBackend newBackend = backend(TestBackend.ECHO);
        AtomicReference<Pool> current = new AtomicReference<>(TestPools.roundRobin("p", oldBackend.address()));
        listen(name -> current.get(), "p", 0);
        byte[] msg = "ping".getBytes(US_ASCII);

        Socket established = client();
        assertThat(roundTrip(established, msg)).isEqualTo(msg);
        current.set(TestPools.roundRobin("p", newBackend.address()));
        listener.update(routes(listener.config(), name -> current.get())); // what the node does on a reload
        try (Socket fresh = client()) {
            assertThat(roundTrip(fresh, msg)).isEqualTo(msg);
        }
        assertThat(roundTrip(established, msg)).isEqualTo(msg);
        assertThat(oldBackend.accepted()).isEqualTo(1);
        assertThat(newBackend.accepted()).isEqualTo(1);
    }

    private void listen(Pool pool, int maxConnections) {
        listen(name -> pool.name().equals(name) ? pool : null, pool.name(), maxConnections);
    }

    private void listen(Function<String, Pool> pools, String poolName, int maxConnections) {
        listen(pools, poolName, new LimitsConfig(maxConnections, null));
    }

    private void listen(Function<String, Pool> pools, String poolName, LimitsConfig limitsConfig) {
        ListenerConfig config = new ListenerConfig("tcp-test", Bind.plain(new HostPort("127.0.0.1", 0)), Protocol.TCP,
                List.of(), poolName, limitsConfig, null, null, 0, null, null, false);
        limits.limiter(config.name()).configure(limitsConfig);
        listener = new TcpListener(routes(config, pools), transport, stats, limits.limiter(config.name()), ticker,
                new TlsService(new SimpleMeterRegistry(), (subject, detail) -> { }, Clock.systemUTC()).listener(config.name()),
                dev.gatehouse.accesslog.AccessLog.off(config.name()));
        assertThat(listener.start().awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
        assertThat(listener.localAddress().getPort()).isPositive();
    }

    private static RouteTable routes(ListenerConfig config, Function<String, Pool> pools) {
        return RouteTable.of(config, name -> {
            Pool pool = pools.apply(name);
            return pool == null ? null : ResolvedPool.of(pool);
        });
    }

    private TestBackend backend(TestBackend.Handler handler) {
        TestBackend backend = TestBackend.start(handler);
        toClose.add(backend);
        return backend;
    }

    private Socket client() throws IOException {
        Socket s = new Socket();
        toClose.add(s);
        s.setSoTimeout(5_000);
        s.connect(listener.localAddress(), 2_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, byte[] msg) throws IOException {
        s.getOutputStream().write(msg);
        return s.getInputStream().readNBytes(msg.length);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Connects until a connect hangs: then the listener's accept queue is full. */
    private boolean fillBacklog(InetSocketAddress address) throws IOException {
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            toClose.add(filler);
            try {
                filler.connect(address, 200);
            } catch (SocketTimeoutException full) {
                return true;
            }
        }
        return false;
    }
}
