package dev.gatehouse.cluster;

/**
 * The replicated record of one VIP. {@code version} is the log index of its last change; {@code handover} is the
 * reason of a pending request that the owner release (preemption), or null; {@code predecessor} is the node that
 * handed the VIP over gracefully and may still be finishing connections it accepted, or null.
 */
public record VipState(String owner, long epoch, String reason, long version, String handover, String predecessor) {

    static final VipState UNOWNED = new VipState(null, 0, "never owned", 0, null);

    VipState(String owner, long epoch, String reason, long version, String handover) {
        this(owner, epoch, reason, version, handover, null);
    }

    public boolean owned() {
        return owner != null;
    }
}
