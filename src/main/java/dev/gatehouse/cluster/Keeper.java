package dev.gatehouse.cluster;

/**
 * This member's side of one VIP, stepped by the control loop: {@link VipKeeper} for an {@code active_passive} VIP
 * (served only under a lease), {@link ActiveKeeper} for an {@code active_active} one (served whenever this node can).
 * All methods run on the member's control thread.
 */
interface Keeper {

    /**
     * One step.
     *
     * @param state the replicated record of this VIP as this member last applied it
     * @param able whether this member may serve now
     * @param unableReason why not, when {@code able} is false
     * @param demoted whether the operator asked this member to step aside (a graceful give-up, like preemption)
     * @param fencedBy why this member must not serve even on a valid lease (its fence link to the leader ended, so
     *     the leader may have granted the VIP elsewhere), or null
     */
    void tick(VipState state, boolean able, String unableReason, boolean demoted, String fencedBy);

    /** Whether this member serves the VIP now. */
    boolean holds();

    /** Announces a held VIP again at once: after an election or a healed partition a client may hold a stale entry. */
    void reannounce();

    /** Stop serving now, e.g. on shutdown; tells the cluster if it can. */
    void releaseNow(String reason);
}
