package dev.gatehouse.balance;

import dev.gatehouse.config.Balance;
import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.pool.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The cost of one pick, for every policy, over 3, 100 and 1,000 endpoints with mixed weights. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickBenchmark {

    @Param({"ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "SOURCE_HASH", "MAGLEV", "RING_HASH"})
    public Balance policy;

    @Param({"3", "100", "1000"})
    public int endpoints;

    private Balancer<Endpoint> balancer;
    private long key;

    @Setup
    public void build() {
        List<Weighted<Endpoint>> list = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            Endpoint e = new Endpoint("bench", i, new EndpointConfig(new HostPort("10.0." + (i / 250) + "." + (i % 250), 8080), 1 + i % 3, null));
            list.add(new Weighted<>(e, e.weight() * 100));
        }
        balancer = Balancers.create(policy, list);
    }

    @Benchmark
    public Endpoint pick() {
        return balancer.pick(key += 0x9E3779B97F4A7C15L);
    }
}
