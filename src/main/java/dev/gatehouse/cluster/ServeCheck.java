package dev.gatehouse.cluster;

/**
 * Whether this node can serve traffic right now (listeners up, pools healthy, config current). The node
 * implements it; the cluster polls it every tick, so it must be cheap and never block.
 */
@FunctionalInterface
public interface ServeCheck {

    boolean canServe();

    /**
     * Whether this node's own health checks have passed since it started (its endpoints start healthy, so a restart
     * is no outage): a starting active-active node announces only then. True by default.
     */
    default boolean checked() {
        return true;
    }

    /** Why it cannot serve, for events and status, when {@link #canServe} is false; null: no detail. */
    default String whyNot() {
        return null;
    }
}
