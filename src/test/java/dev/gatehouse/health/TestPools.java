package dev.gatehouse.health;

import dev.gatehouse.config.Balance;
import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HashOn;
import dev.gatehouse.config.HealthConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.config.OutlierConfig;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.config.PoolTimeouts;
import dev.gatehouse.pool.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/** Pool configs for tests; endpoints are 127.0.0.1 addresses nobody connects to unless a test says so. */
final class TestPools {

    static final HealthConfig TCP_CHECKS =
            new HealthConfig(HealthConfig.Type.TCP, null, 200, 399, null, Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3);
    static final OutlierConfig OUTLIERS = new OutlierConfig(5, Duration.ofSeconds(10), 0.5);
    private static final PoolTimeouts TIMEOUTS =
            new PoolTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(60));

    private TestPools() {}

    static List<EndpointConfig> endpoints(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new EndpointConfig(new HostPort("127.0.0.1", 9001 + i), 1, null))
                .toList();
    }

    static PoolConfig pool(
            List<EndpointConfig> endpoints, HealthConfig health, OutlierConfig outlier,
            double panicThreshold, Duration slowStart, Duration drainTimeout) {
        return new PoolConfig("web", Balance.ROUND_ROBIN, HashOn.SOURCE_IP, null, endpoints, health, outlier,
                panicThreshold, slowStart, drainTimeout, 1, TIMEOUTS, false, null);
    }

    static Endpoint endpoint(int index, int weight) {
        return new Endpoint("web", index, new EndpointConfig(new HostPort("127.0.0.1", 9001 + index), weight, null));
    }
}
