package dev.gatehouse.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.accesslog.AccessLog;
import dev.gatehouse.accesslog.AccessLogs;
import dev.gatehouse.accesslog.Sink;
import dev.gatehouse.config.AccessLogConfig;
import dev.gatehouse.config.Bind;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.ListenerConfig;
import dev.gatehouse.config.Protocol;
import dev.gatehouse.config.RouteConfig;
import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.limit.ClientLimits;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.proxy.TestPools;
import dev.gatehouse.proxy.Transport;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.route.RouteTable;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.time.WallClock;
import dev.gatehouse.tls.TlsService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A writer that cannot keep up costs lines, counted, and never the event loop's time. */
class AccessLogQueueTest {

    private static final int CAPACITY = 8;
    private static final int REQUESTS = 200;

    /** A sink whose first write blocks until the test releases it, like a disk that stopped answering. */
    private static final class StuckSink implements Sink {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public void write(CharSequence line) {
            writes.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void flush() { }

        @Override
        public void reopen() { }

        @Override
        public void close() { }
    }

    private final StuckSink sink = new StuckSink();
    private final Metrics metrics = new Metrics();
    private final AccessLogs logs = new AccessLogs(metrics, WallClock.system(), config -> sink, CAPACITY);
    private final Transport transport = Transport.create(1);
    private DemoBackend backend;
    private HttpListener listener;

    @AfterEach
    void stop() throws Exception {
        sink.release.countDown();
        if (listener != null) {
            listener.drain(Duration.ZERO).get(5, TimeUnit.SECONDS);
        }
        logs.close();
        transport.shutdownGracefully();
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aFullQueueDropsAndCountsWhileRequestsAreServed() throws Exception {
        backend = DemoBackend.start("127.0.0.1", 0, "be1");
        Pool pool = TestPools.roundRobin("p", new InetSocketAddress("127.0.0.1", backend.port()));
        ListenerConfig config = new ListenerConfig("web", Bind.plain(new HostPort("127.0.0.1", 0)), Protocol.HTTP,
                List.of(new RouteConfig(null, "p")), null, LimitsConfig.NONE, Duration.ofSeconds(10), Duration.ofSeconds(60),
                32 * 1024, null, new AccessLogConfig(null, AccessLogConfig.Format.JSON, 1.0), false);
        logs.configure(List.of(config));
        AccessLog log = logs.of("web");
        listener = new HttpListener(RouteTable.of(config, name -> ResolvedPool.of(pool)), transport, metrics,
                new ClientLimits(Ticker.system()).limiter("web"), Ticker.system(),
                new TlsService(new SimpleMeterRegistry(), (subject, detail) -> { }, Clock.systemUTC()).listener("web"), log);
        listener.start(new InetSocketAddress("127.0.0.1", 0));

        URI uri = URI.create("http://127.0.0.1:" + listener.localAddress().getPort() + "/");
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < REQUESTS; i++) {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(r.statusCode()).isEqualTo(200);
            }
        }
        // Served in full while the writer sat in its first write: one line taken, the queue's worth waiting, the rest dropped.
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.writes.get() == 1);
        assertThat(sink.release.getCount()).isEqualTo(1);
        assertThat(log.dropped()).isBetween((long) REQUESTS - CAPACITY - 1, (long) REQUESTS - CAPACITY);
        assertThat(metrics.scrape()).contains("gatehouse_access_log_dropped_total{listener=\"web\"} " + log.dropped() + ".0");

        sink.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.writes.get() == REQUESTS - log.dropped());
    }
}
