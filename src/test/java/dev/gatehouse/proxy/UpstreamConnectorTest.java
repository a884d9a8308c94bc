package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.route.ResolvedPool;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamConnectorTest {

    private final Transport transport = Transport.create(1);
    private final UpstreamConnector connector = new UpstreamConnector(transport);
    private final TestBackend live = TestBackend.start(TestBackend.ECHO);

    @AfterEach
    void stop() throws Exception {
        live.close();
        assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBalancerThatKeepsPickingTheFailedEndpointIsSteeredToAnother() throws Exception {
        InetSocketAddress dead = TestPools.deadAddress();
        // Like a hash policy with a fixed key: always the first endpoint.
        Pool pool = TestPools.withBalancer("sticky", endpoints -> hash -> endpoints.getFirst(),
                TestPools.TIMEOUTS, 1, false, dead, live.address());
        RecordingOutcomes outcomes = new RecordingOutcomes();
        pool.outcomes(outcomes);
        BitSet tried = new BitSet();

        Result result = connect(pool, tried);

        Endpoint second = pool.endpoints().get(1);
        assertThat(result.endpoint.join()).isSameAs(second);
        assertThat(tried.get(0)).isTrue();
        assertThat(outcomes.events()).containsExactly("failure " + pool.endpoints().get(0), "success " + second);
        assertThat(second.activeRequests().get()).isEqualTo(1);
        assertThat(second.connections().contains(result.channel.join())).isTrue();

        result.channel.join().close().sync();
        await().atMost(Duration.ofSeconds(5)).until(() -> second.activeRequests().get() == 0 && second.connections().isEmpty());
    }

    @Test
    void withoutRetriesTheFirstFailureIsFinal() {
        Pool pool = TestPools.roundRobin("once", TestPools.TIMEOUTS, 0, false, TestPools.deadAddress(), live.address());
        RecordingOutcomes outcomes = new RecordingOutcomes();
        pool.outcomes(outcomes);

        Result result = connect(pool, null);

        assertThat(result.failure.join()).isNotNull();
        assertThat(result.endpoint).isNotDone();
        assertThat(outcomes.events()).containsExactly("failure " + pool.endpoints().get(0));
        assertThat(live.accepted()).isZero();
    }

    @Test
    void aBalancerWithNothingToPickMeansNoEndpoint() {
        Pool pool = TestPools.withBalancer("empty", endpoints -> hash -> null, TestPools.TIMEOUTS, 2, false, live.address());

        Result result = connect(pool, null);

        assertThat(result.noEndpoint.join()).isTrue();
        assertThat(live.accepted()).isZero();
    }

    @Test
    void rejectsAMissingTransport() {
        assertThatThrownBy(() -> new UpstreamConnector(null)).hasMessageContaining("transport");
        assertThatThrownBy(() -> Transport.create(-1)).hasMessageContaining("workerThreads").hasMessageContaining("-1");
    }

    private Result connect(Pool pool, BitSet tried) {
        Result result = new Result();
        connector.connect(transport.workerGroup().next(), ResolvedPool.of(pool), 7L, tried, result);
        return result;
    }

    /** The callback, as futures the test can wait on. */
    private static final class Result implements UpstreamConnector.Callback {
        final CompletableFuture<Endpoint> endpoint = new CompletableFuture<>();
        final CompletableFuture<Channel> channel = new CompletableFuture<>();
        final CompletableFuture<Throwable> failure = new CompletableFuture<>();
        final CompletableFuture<Boolean> noEndpoint = new CompletableFuture<>();

        @Override
        public void connected(Channel upstream, Endpoint e) {
            channel.complete(upstream);
            endpoint.complete(e);
        }

        @Override
        public void noEndpoint() {
            noEndpoint.complete(true);
        }

        @Override
        public void connectFailed(Throwable cause) {
            failure.complete(cause);
        }
    }
}
