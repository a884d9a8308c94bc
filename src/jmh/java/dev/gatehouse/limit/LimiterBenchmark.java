package dev.gatehouse.limit;

import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.time.Ticker;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of per-client limits: a request's token (HTTP, every request) and a connection's lookup, count and token
 * (TCP, every connection) over 1,000 clients. Run with {@code -t 4} to see event loops sharing one client's bucket.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LimiterBenchmark {

    private final Ticker ticker = Ticker.system();
    private ClientLimiter limiter;
    private ClientState one;
    private InetAddress[] clients;
    private int next;

    @Setup
    public void build() {
        limiter = new ClientLimits(ticker).limiter("bench");
        limiter.configure(new LimitsConfig(0, new LimitsConfig.PerClient(1e9, 1_000_000_000, 0)));
        one = limiter.connect(InetAddress.ofLiteral("198.51.100.7"));
        clients = new InetAddress[1000];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = InetAddress.ofLiteral("10.0." + i / 250 + "." + i % 250);
        }
    }

    @Benchmark
    public long requestToken() {
        return limiter.acquire(one, ticker.nanos());
    }

    @Benchmark
    public long connection() {
        ClientState s = limiter.connect(clients[next++ % clients.length]);
        long wait = limiter.acquire(s, ticker.nanos());
        limiter.disconnect(s);
        return wait;
    }
}
