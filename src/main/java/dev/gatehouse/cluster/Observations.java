package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.time.Ticker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this member applied what, by its own monotonic clock. Kept beside the replicated state, never in it: the
 * times differ per member, and the controller needs only its own. Applying an entry always happens after the
 * entry was proposed, so these times are never earlier than the events they stand for; that is what makes
 * waiting "a lease since I saw the renewal" safe.
 */
final class Observations {

    private final Ticker ticker;
    private final Map<String, Long> renewSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> reportSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> ableSince = new ConcurrentHashMap<>();

    Observations(Ticker ticker) {
        this.ticker = ticker;
    }

    void applied(Command command, Outcome outcome) {
        if (outcome != Outcome.ACCEPTED) {
            return;
        }
        long now = ticker.nanos();
        switch (command) {
            case Command.Grant g -> renewSeen.put(g.vip(), now);
            case Command.Renew r -> renewSeen.put(r.vip(), now);
            case Command.Release r -> renewSeen.remove(r.vip());
            case Command.Report r -> {
                reportSeen.put(r.member(), now);
                if (r.canServe()) {
                    ableSince.putIfAbsent(r.member(), now);
                } else {
                    ableSince.remove(r.member());
                }
            }
            case Command.Handover h -> {}
            case Command.Stick s -> {}
            case Command.Usage u -> {}
            case Command.ConfigChange c -> {}
            case Command.CanaryVerdict v -> {}
        }
    }

    /** After loading a snapshot: everything in it counts as seen now. */
    void loaded(ClusterState state) {
        long now = ticker.nanos();
        state.vips().forEach((name, v) -> {
            if (v.owned()) renewSeen.put(name, now);
        });
        state.reports().forEach((id, r) -> {
            reportSeen.put(id, now);
            if (r.canServe()) ableSince.put(id, now);
        });
    }

    /** When the owner of {@code vip} last proved itself; an owned VIP never seen counts as seen at {@code now}. */
    long renewSeen(String vip, long now) {
        return renewSeen.computeIfAbsent(vip, k -> now);
    }

    boolean reportFresh(String member, long now, long ttlNanos) {
        Long seen = reportSeen.get(member);
        return seen != null && now - seen <= ttlNanos;
    }

    /** Since when {@code member} has reported it can serve without a break, or null. */
    Long ableSince(String member) {
        return ableSince.get(member);
    }
}
