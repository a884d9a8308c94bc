package dev.gatehouse.cluster;

/** What the cluster tells its node. Called from the cluster's control thread; implementations must not block. */
public interface ClusterListener {

    /** This member started serving {@code vip} (the driver acquired it). */
    default void vipAcquired(String vip, long epoch, String reason) {}

    /** This member stopped serving {@code vip} (the driver released it). */
    default void vipReleased(String vip, long epoch, String reason) {}

    /**
     * An {@code active_active} VIP changed here: {@code change} is announced, leaving (announced as leaving before the
     * withdrawal), withdrawn (connections here finishing) or released (address gone).
     */
    default void vipAnnouncement(String vip, String change, String reason) {}

    /**
     * A renewal of this member's lease on {@code vip} came back {@code nanos} after it was proposed: committed,
     * or not (refused, timed out, no leader). A lease lives {@link ClusterTimings#lease()} from its last committed
     * renewal's start, so this is how close the member came to losing it.
     */
    default void leaseRenewal(String vip, long nanos, boolean committed) {}

    /** This member's lease on {@code vip} ran out unrenewed: it stops serving (a {@link #vipReleased} follows). */
    default void leaseExpired(String vip) {}

    /** A new Raft term or leader; {@code leader} is null while there is none. */
    default void termChanged(long term, String leader) {}

    /** Node {@code member} reports again after its reports had lapsed (a restart, a healed partition). */
    default void peerReturned(String member) {}

    /** Member {@code member}, live until now, no longer is (its reports lapsed, or its process exited). */
    default void memberDown(String member) {}

    /** Member {@code member} is live again after {@link #memberDown}. */
    default void memberUp(String member) {}

    /**
     * This member may no longer be alone in serving {@code vip}: it gave the VIP up self-fenced (cut off from the
     * leader), or found the address still answered by another host when it took it over.
     */
    default void splitSuspected(String vip, String why) {}

    /**
     * This member should now run {@code config}: the current cluster-wide config, or a canary on trial on this
     * member (a committed change, a verdict, or caught up from the log or a snapshot). Called in log order from
     * the consensus thread: hand it off, never block.
     */
    default void configCommitted(ReplicatedConfig config) {}

    /** Canary {@code config} {@code outcome} ("started", "promoted", "rolled back"); same thread rules. */
    default void canary(ReplicatedConfig config, String outcome, String reason) {}
}
