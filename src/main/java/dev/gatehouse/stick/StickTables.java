package dev.gatehouse.stick;

import dev.gatehouse.config.StickConfig;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.time.WallClock;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every stick table of this process, by pool name. Tables outlive the pools that use them: a reload rebuilds a
 * pool and hands it the same table, and a member without the pool (a witness) still keeps the replicated entries,
 * since a node that joins or restarts may get its table from any member's snapshot.
 */
public final class StickTables {

    /** Bounds what the log can make a member allocate: a pool name never configured gets no table past this. */
    static final int MAX_TABLES = 256;
    private static final StickConfig DEFAULTS = new StickConfig(StickConfig.DEFAULT_EXPIRE, StickConfig.DEFAULT_SIZE);

    private final WallClock clock;
    private final ConcurrentMap<String, StickTable> tables = new ConcurrentHashMap<>();
    private final AtomicLong lagMillis = new AtomicLong();
    private volatile Metrics metrics;

    public StickTables(WallClock clock) {
        this.clock = clock;
    }

    /** Publishes per-table entries, bytes, evictions and drops, and the replication lag, now and for later tables. */
    public void exportTo(Metrics metrics) {
        this.metrics = metrics;
        metrics.gauge("gatehouse_stick_replication_lag_seconds",
                "Age of the last stick-table batch from another node when it was applied here",
                () -> lagMillis.get() / 1000.0);
        tables.values().forEach(this::register);
    }

    /** The table of a pool configured with {@code config}, created or reconfigured; entries are kept. */
    public StickTable configure(String pool, StickConfig config) {
        StickTable table = tables.computeIfAbsent(pool, name -> create(name, config));
        table.configure(config);
        return table;
    }

    /** The table for entries of {@code pool} from the log, or null when there are too many tables already. */
    StickTable forLog(String pool) {
        StickTable table = tables.get(pool);
        if (table != null || tables.size() >= MAX_TABLES) {
            return table;
        }
        return tables.computeIfAbsent(pool, name -> create(name, DEFAULTS));
    }

    public StickTable get(String pool) {
        return tables.get(pool);
    }

    Collection<StickTable> all() {
        return tables.values();
    }

    /** A batch recorded elsewhere was applied here {@code millis} after it was recorded. */
    void lag(long millis) {
        lagMillis.set(Math.max(0, millis));
    }

    private StickTable create(String pool, StickConfig config) {
        StickTable table = new StickTable(pool, config, clock);
        if (metrics != null) {
            register(table);
        }
        return table;
    }

    private void register(StickTable t) {
        Metrics m = metrics;
        m.gauge("gatehouse_stick_entries", "Entries in the pool's stick table", t::entries, "pool", t.pool());
        m.gauge("gatehouse_stick_bytes", "Memory held by the pool's stick table (estimate)", t::bytes, "pool", t.pool());
        FunctionCounter.builder("gatehouse_stick_evicted", t, StickTable::evicted)
                .description("Live stick entries evicted because the table was full").tags("pool", t.pool())
                .register(m.registry());
        FunctionCounter.builder("gatehouse_stick_dropped", t, StickTable::dropped)
                .description("Stick updates that never reached the other nodes").tags("pool", t.pool())
                .register(m.registry());
    }
}
