package dev.gatehouse.cluster.channel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Updates a module shares with every member through the cluster, beside the replicated state and never in it:
 * stick-table entries, per-client rate usage, TLS session-ticket keys. The cluster carries a channel's payloads as opaque bytes over its
 * authenticated log and knows nothing of what they hold. Register a channel with the cluster member
 * ({@code ClusterMember.register}) before the member starts. This package holds only this contract, so that what
 * implements it needs nothing else of the cluster.
 *
 * <p>Every 100 ms a control-plane thread asks each channel for what to send; while any
 * payload of a round is still in flight (no leader, a slow majority) later rounds ask nothing, so proposals never
 * pile up and the data path never waits. Committed payloads come back to every member, the sender too, in log
 * order, on the thread that applies the log: {@link #apply} must be quick.
 */
public interface ReplicatedChannel {

    /** Takes a channel's payloads for the log. */
    @FunctionalInterface
    interface Outbox {
        /**
         * Proposes {@code payload} (at most {@link #MAX_PAYLOAD} bytes); {@code onFailed} runs, on some cluster
         * thread, when the cluster did not commit it.
         */
        void send(byte[] payload, Runnable onFailed);
    }

    /** The largest payload a channel may send. */
    int MAX_PAYLOAD = 128 * 1024;

    /** The channel's name: an identifier, unique among a member's channels and the same on every member. */
    String name();

    /** Hands what to replicate now to {@code outbox}; called on the sync thread only, once a round. */
    void collect(Outbox outbox);

    /**
     * Applies a committed payload.
     *
     * @param origin the member that sent it
     * @param local whether that member is this one
     * @param sentAt wall-clock milliseconds at the sender when it was sent
     * @return false when the payload is malformed; it is then counted and nothing of it may have been applied
     */
    boolean apply(String origin, boolean local, long sentAt, byte[] payload);

    /** Writes what a member that joins or restarts needs; {@code out} is not to be closed. */
    void writeSnapshot(DataOutputStream out) throws IOException;

    /**
     * Replaces what the channel holds with what {@link #writeSnapshot} wrote; {@code in} is null when the snapshot has
     * nothing of this channel.
     */
    void restore(DataInputStream in) throws IOException;
}
