package dev.gatehouse.cluster;

/**
 * The replicated record of one VIP. {@code version} is the log index of its last change; {@code handover} is the
 * reason of a pending request that the owner release (preemption), or null.
 */
public record VipState(String owner, long epoch, String reason, long version, String handover) {

    static final VipState UNOWNED = new VipState(null, 0, "never owned", 0, null);

    public boolean owned() {
        return owner != null;
    }
}
