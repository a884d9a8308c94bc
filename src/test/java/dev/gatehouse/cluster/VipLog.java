package dev.gatehouse.cluster;

import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.vip.VipDriver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A shared, System.nanoTime-stamped record of every acquire and release by every member's driver, and a count of
 * the announcements each member made of a VIP it already held and of the preparations for a grant.
 */
final class VipLog {

    record Event(long nanos, String member, String vip, boolean acquired) {}

    private final List<Event> events = new ArrayList<>();
    /** Calls of one kind by one member, keyed by kind and member. */
    private final Map<String, Integer> calls = new HashMap<>();

    synchronized void add(String member, String vip, boolean acquired) {
        events.add(new Event(System.nanoTime(), member, vip, acquired));
    }

    synchronized int announcements(String member) {
        return calls.getOrDefault("announce " + member, 0);
    }

    synchronized int refreshes(String member) {
        return calls.getOrDefault("refresh " + member, 0);
    }

    synchronized int preparations(String member) {
        return calls.getOrDefault("prepare " + member, 0);
    }

    private synchronized void called(String kind, String member) {
        calls.merge(kind + " " + member, 1, Integer::sum);
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Members holding {@code vip} now, by the log. */
    synchronized List<String> holders(String vip) {
        List<String> holders = new ArrayList<>();
        for (Event e : events) {
            if (!e.vip().equals(vip)) continue;
            if (e.acquired()) holders.add(e.member());
            else holders.remove(e.member());
        }
        return holders;
    }

    /** The largest number of simultaneous holders of {@code vip} over the whole log. */
    synchronized int maxHolders(String vip) {
        List<String> holders = new ArrayList<>();
        int max = 0;
        for (Event e : events) {
            if (!e.vip().equals(vip)) continue;
            if (e.acquired()) holders.add(e.member());
            else holders.remove(e.member());
            max = Math.max(max, holders.size());
        }
        return max;
    }

    synchronized Event last(String member, boolean acquired) {
        for (int i = events.size() - 1; i >= 0; i--) {
            Event e = events.get(i);
            if (e.member().equals(member) && e.acquired() == acquired) return e;
        }
        return null;
    }

    VipDriver driverFor(String member) {
        return driverFor(member, false);
    }

    /** @param overlaps whether a graceful handover may keep the VIP here until the successor serves */
    VipDriver driverFor(String member, boolean overlaps) {
        return driverFor(member, overlaps, CompletableFuture.completedFuture(null));
    }

    /** @param quiet what {@link VipDriver#keepDuringHandover} answers: when this member stops competing */
    VipDriver driverFor(String member, boolean overlaps, CompletableFuture<Void> quiet) {
        return new VipDriver() {
            private boolean held;

            @Override
            public void acquire(VipConfig vip) {
                held = true;
                add(member, vip.name(), true);
            }

            @Override
            public void release(VipConfig vip) {
                if (held) {
                    held = false;
                    add(member, vip.name(), false);
                }
            }

            @Override
            public void refresh(VipConfig vip) {
                called("refresh", member);
            }

            @Override
            public void announce(VipConfig vip) {
                called("announce", member);
            }

            @Override
            public void prepare(VipConfig vip) {
                called("prepare", member);
            }

            @Override
            public CompletableFuture<Void> keepDuringHandover(VipConfig vip) {
                return quiet;
            }

            @Override
            public boolean overlapsOnHandover(VipConfig vip) {
                return overlaps;
            }
        };
    }
}
