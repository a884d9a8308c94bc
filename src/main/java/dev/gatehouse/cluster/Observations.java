package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.time.Ticker;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this member applied what, by its own monotonic clock. Kept beside the replicated state, never in it: the
 * times differ per member, and the controller needs only its own. Applying an entry always happens after the
 * entry was proposed, so these times are never earlier than the events they stand for; that is what makes
 * waiting "a lease since I saw the renewal" safe.
 *
 * <p>A member is <em>live</em> while its last report is younger than the report lifetime, no lapse (its VIP's
 * lease ran out, see {@link Controller#track}) came after that report, and its process is not known to have
 * exited (its fence link closed without a goodbye, see {@link FenceLinks}) since it last connected. The replicated
 * report says what the member said; only this says whether it is still there to say it.
 */
final class Observations {

    private final Ticker ticker;
    private final ClusterTimings timings;
    private final Map<String, Long> renewSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> reportSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> ableSince = new ConcurrentHashMap<>();
    private final Map<String, Long> lapsedAt = new ConcurrentHashMap<>();
    private final Set<String> exited = ConcurrentHashMap.newKeySet();

    Observations(Ticker ticker, ClusterTimings timings) {
        this.ticker = ticker;
        this.timings = timings;
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
            case Command.Report r -> reported(r.member(), r.canServe(), now);
            case Command.Handover h -> {}
            case Command.Channel c -> {}
            case Command.ConfigChange c -> {}
            case Command.CanaryVerdict v -> {}
        }
    }

    private void reported(String member, boolean canServe, long now) {
        boolean wasLive = live(member, now);
        reportSeen.put(member, now);
        if (!canServe) {
            ableSince.remove(member);
        } else if (wasLive) {
            ableSince.putIfAbsent(member, now);
        } else {
            ableSince.put(member, now); // back after a gap: its time as able starts now
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

    /** Whether {@code member} counts as running now (see the class comment). */
    boolean live(String member, long now) {
        Long seen = reportSeen.get(member);
        Long lapsed = lapsedAt.get(member);
        return seen != null && now - seen <= timings.reportTtlNanos() && !exited.contains(member)
                && (lapsed == null || seen > lapsed);
    }

    /** How long ago this member applied a report of {@code member}, in ms; -1 if never. */
    long lastHeardMillis(String member, long now) {
        Long seen = reportSeen.get(member);
        return seen == null ? -1 : (now - seen) / 1_000_000;
    }

    /** {@code member} stopped renewing its VIP: not live until a later report. */
    void lapsed(String member, long now) {
        ableSince.remove(member);
        lapsedAt.put(member, now);
    }

    /** {@code member} could not have been granted a VIP just now: its time as able starts again. */
    void notEligible(String member) {
        ableSince.remove(member);
    }

    /** {@code member}'s process exited (confirmed, not guessed): not live until it connects again. */
    void exited(String member) {
        exited.add(member);
        lapsed(member, ticker.nanos());
    }

    /** {@code member} connected again (a restarted process, or a live one whose link broke). */
    void connected(String member) {
        exited.remove(member);
    }

    boolean exitConfirmed(String member) {
        return exited.contains(member);
    }

    /** Since when {@code member} has been able to serve without a break, or null. */
    Long ableSince(String member) {
        return ableSince.get(member);
    }
}
