package dev.gatehouse.node;

import dev.gatehouse.admin.Events;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.balance.Balancers;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.config.StickConfig;
import dev.gatehouse.health.HealthEvents;
import dev.gatehouse.health.PoolHealth;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.pool.ZoneRouting;
import dev.gatehouse.route.ResolvedPool;
import dev.gatehouse.stick.StickTables;
import dev.gatehouse.time.Ticker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The pools of a node and their health machinery. A reload keeps pools whose config did not change
 * (and their state); a changed pool is rebuilt and its endpoints keep their health and drain state by
 * address, and its stick table by name. The data plane never reads this set: every change of a pool in force is
 * reported to {@code onChange}, which copies the pools into the listeners' route tables.
 */
final class PoolSet {

    private final Ticker ticker;
    private final ScheduledExecutorService scheduler;
    private final HealthEvents healthEvents;
    private final StickTables stickTables;
    private final String nodeZone;
    private final Runnable onChange;
    private volatile Map<String, PoolHealth> pools = Map.of();

    /**
     * @param nodeZone {@code node.zone}, null when the node has none; fixed for the life of the process
     * @param onChange runs after a reload's pools are in force and after each change of a pool's state
     */
    PoolSet(Ticker ticker, ScheduledExecutorService scheduler, Events events, Metrics metrics, StickTables stickTables,
            String nodeZone, Runnable onChange) {
        this.ticker = ticker;
        this.onChange = onChange;
        this.stickTables = stickTables;
        this.scheduler = scheduler;
        this.nodeZone = nodeZone;
        this.healthEvents = new HealthEvents() {
            @Override
            public void event(String pool, String endpoint, EndpointState from, EndpointState to, String reason) {
                String subject = pool + "/" + endpoint;
                String detail = from.label() + " -> " + to.label() + ": " + reason;
                EventKind kind = kindOf(from, to);
                if (kind == null) {
                    events.publish("health", subject, detail);
                } else {
                    events.publish(kind, subject, detail);
                }
                if (to == EndpointState.EJECTED) {
                    metrics.endpoint(pool, endpoint).ejected();
                }
            }

            @Override
            public void zoneRouting(String pool, ZoneRouting from, ZoneRouting to) {
                events.publish("zone", pool, from.mode().label() + " -> " + to.summary());
            }

            @Override
            public void panic(String pool, boolean inPanic, String why) {
                events.publish(inPanic ? EventKind.POOL_PANIC : EventKind.POOL_RECOVERED, pool,
                        (inPanic ? "in panic: " : "out of panic: ") + why);
            }
        };
    }

    /** The alert kind of an endpoint's change: down, ejected, or serving again after either; else null. */
    private static EventKind kindOf(EndpointState from, EndpointState to) {
        if (from == to) {
            return null;
        }
        return switch (to) {
            case UNHEALTHY -> EventKind.ENDPOINT_DOWN;
            case EJECTED -> EventKind.ENDPOINT_EJECTED;
            case HEALTHY, SLOW_START -> from == EndpointState.UNHEALTHY || from == EndpointState.EJECTED ? EventKind.ENDPOINT_UP : null;
            case DRAINING -> null;
        };
    }

    /** The pool named {@code name} now, or null. */
    Pool pool(String name) {
        PoolHealth h = pools.get(name);
        return h == null ? null : h.pool();
    }

    /** The pool named {@code name} as the data plane is to see it now, or null. */
    ResolvedPool resolved(String name) {
        Pool pool = pool(name);
        return pool == null ? null : ResolvedPool.of(pool);
    }

    Collection<PoolHealth> all() {
        return pools.values();
    }

    PoolHealth health(String name) {
        return pools.get(name);
    }

    /**
     * Builds the pools of {@code configs}, reusing unchanged ones, without publishing them yet: the
     * caller commits once everything else of the reload has succeeded, or aborts.
     */
    Staged stage(Map<String, PoolConfig> configs) {
        Map<String, PoolHealth> old = pools;
        Map<String, PoolHealth> next = new LinkedHashMap<>();
        Map<String, PoolHealth> retired = new LinkedHashMap<>(old);
        List<PoolHealth> created = new ArrayList<>();
        for (PoolConfig config : configs.values()) {
            PoolHealth previous = old.get(config.name());
            if (previous != null && previous.pool().config().equals(config)) {
                next.put(config.name(), previous);
                retired.remove(config.name());
                continue;
            }
            PoolHealth fresh = PoolHealth.create(config, list -> Balancers.create(config.balance(), list), ticker, scheduler,
                    healthEvents, previous, nodeZone);
            fresh.pool().onChange(onChange);
            created.add(fresh);
            next.put(config.name(), fresh);
        }
        return new Staged(java.util.Collections.unmodifiableMap(next), created, List.copyOf(retired.values()));
    }

    /** A set of pools built but not yet in force. */
    final class Staged {
        private final Map<String, PoolHealth> next;
        private final List<PoolHealth> created;
        private final List<PoolHealth> retired;

        private Staged(Map<String, PoolHealth> next, List<PoolHealth> created, List<PoolHealth> retired) {
            this.next = next;
            this.created = created;
            this.retired = retired;
        }

        /**
         * Publishes the new pools to the data plane and starts their health checks; stops the replaced ones. A
         * rebuilt pool gets the stick table of its name, entries and all.
         */
        void commit() {
            for (PoolHealth h : created) {
                StickConfig stick = h.pool().config().stick();
                if (stick != null) {
                    h.pool().stick(stickTables.configure(h.pool().name(), stick));
                }
            }
            created.forEach(PoolHealth::start);
            pools = next;
            onChange.run();
            retired.forEach(PoolHealth::stop);
        }

        void abort() {
            created.forEach(PoolHealth::stop);
        }
    }

    /** Marks an endpoint draining or back in service; false when there is no such pool or endpoint. */
    boolean setDraining(String poolName, String address, boolean drain) {
        PoolHealth h = pools.get(poolName);
        if (h == null) {
            return false;
        }
        for (Endpoint e : h.pool().endpoints()) {
            if (e.address().equals(address)) {
                if (drain) {
                    h.drain(e);
                } else {
                    h.enable(e);
                }
                return true;
            }
        }
        return false;
    }

    void stopAll() {
        pools.values().forEach(PoolHealth::stop);
    }
}
