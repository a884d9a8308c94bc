package dev.gatehouse.gslb;

import dev.gatehouse.time.Ticker;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * What the GSLB servers of a zone see of its targets, and the states this server answers with. Each server is a
 * vantage point with its own checks; a target is down only when more than half of the vantage points that have a
 * verdict on it see it down, so one server's own network trouble changes no server's answers. A target no vantage
 * point has a verdict on yet is answered as up, as a target before its first check is.
 *
 * <p>A peer's verdicts count while they are fresh (fetched within {@value #FRESH_INTERVALS} check intervals plus a
 * timeout); a server none of whose peers is fresh answers from its own checks alone, and says so.
 */
final class Votes {

    static final byte UNKNOWN = 0;
    static final byte UP = 1;
    static final byte DOWN = 2;
    /**
     * A peer silent for two fetches is dropped: one fetch may fail, but a vantage point cut off with the target it
     * last saw up must not hold that target up for longer than this server's own {@code fall} checks take (3 by
     * default) when the target's region is cut off whole.
     */
    static final int FRESH_INTERVALS = 2;

    /** A peer's verdicts by target index, when they were fetched, and the node that gave them. */
    private record Peer(String node, byte[] verdicts, long at) {}

    private final int targets;
    /** This server's own verdict on a target: {@link #UNKNOWN}, {@link #UP} or {@link #DOWN}. */
    private final IntUnaryOperator own;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    /** The peers configured, and those asked at least once: until each was, answers do not follow this server alone. */
    private final int peerCount;
    private final Set<String> asked = new HashSet<>();
    private final Ticker ticker;
    private final long freshNanos;

    Votes(int targets, IntUnaryOperator own, int peerCount, Ticker ticker, long freshNanos) {
        this.targets = targets;
        this.own = own;
        this.peerCount = peerCount;
        this.ticker = ticker;
        this.freshNanos = freshNanos;
    }

    /** The verdicts peer {@code address} (node {@code node}) gave just now, by target index. */
    synchronized void peer(String address, String node, byte[] verdicts) {
        peers.put(address, new Peer(node, verdicts.clone(), ticker.nanos()));
    }

    /** Peer {@code address} was asked (whether it answered or not). */
    synchronized void asked(String address) {
        asked.add(address);
    }

    /**
     * Whether the answers still wait for the first round of peer fetches: a server just started answers every
     * target as up until it asked each peer once, rather than flap on its own first checks alone.
     */
    synchronized boolean waiting() {
        return asked.size() < peerCount;
    }

    /** The states the answers follow now (every target up while {@link #waiting()}). */
    synchronized TargetStates states() {
        if (waiting()) {
            return TargetStates.allUp(targets);
        }
        long now = ticker.nanos();
        boolean[] up = new boolean[targets];
        for (int t = 0; t < targets; t++) {
            int[] tally = tally(t, now);
            up[t] = tally[1] * 2 <= tally[0];
        }
        return TargetStates.of(up);
    }

    /** For status: {@code {vantage points with a verdict, of them seeing it down}} on {@code target}. */
    synchronized int[] tally(int target) {
        return tally(target, ticker.nanos());
    }

    private int[] tally(int target, long now) {
        int votes = 0;
        int down = 0;
        int mine = own.applyAsInt(target);
        if (mine != UNKNOWN) {
            votes++;
            down += mine == DOWN ? 1 : 0;
        }
        for (Peer p : peers.values()) {
            if (now - p.at < freshNanos && p.verdicts[target] != UNKNOWN) {
                votes++;
                down += p.verdicts[target] == DOWN ? 1 : 0;
            }
        }
        return new int[] {votes, down};
    }

    /** Each peer's verdict on {@code target} by its node name: up, down, unknown, or stale (no longer counted). */
    synchronized Map<String, String> peerVerdicts(int target) {
        long now = ticker.nanos();
        Map<String, String> out = new TreeMap<>();
        for (Peer p : peers.values()) {
            out.put(p.node, now - p.at >= freshNanos ? "stale" : switch (p.verdicts[target]) {
                case UP -> "up";
                case DOWN -> "down";
                default -> "unknown";
            });
        }
        return out;
    }

    /** Whether peer {@code address} gave verdicts recently enough to count. */
    synchronized boolean fresh(String address) {
        Peer p = peers.get(address);
        return p != null && ticker.nanos() - p.at < freshNanos;
    }

    /** The node that answered at {@code address} last, or null. */
    synchronized String node(String address) {
        Peer p = peers.get(address);
        return p == null ? null : p.node;
    }
}
