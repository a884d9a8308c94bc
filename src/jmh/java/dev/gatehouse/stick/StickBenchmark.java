package dev.gatehouse.stick;

import dev.gatehouse.config.StickConfig;
import java.time.Duration;
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

/** What the data path pays for a stick table of 100,000 entries: a lookup that hits, and one that misses. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StickBenchmark {

    private static final int ENTRIES = 90_000;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private StickTable table;
    private int next;
    private long miss;

    @Setup
    public void fill() {
        table = new StickTables(System::currentTimeMillis).configure("bench", new StickConfig(Duration.ofMinutes(30), 100_000));
        for (int i = 1; i <= ENTRIES; i++) {
            table.record(i * GOLDEN, 0xE0 + i % 8);
        }
        while (table.takePending(4096) != null) {
            // replication is not what is measured
        }
    }

    @Benchmark
    public long lookupHit() {
        next = next % ENTRIES + 1;
        return table.lookup(next * GOLDEN);
    }

    @Benchmark
    public long lookupMiss() {
        return table.lookup(miss += 0x632BE59BD9B4E019L);
    }
}
