package dev.gatehouse.cluster;

/**
 * The config part of the replicated state: the config every node runs ({@code current}), a config on trial on one
 * node ({@code canary}, or null), and the last version handed out, so a rolled-back version is never reused.
 */
public record ConfigState(ReplicatedConfig current, ReplicatedConfig canary, long lastVersion) {

    static final ConfigState NONE = new ConfigState(null, null, 0);

    /** The version every node runs; 0 before the first is committed. */
    public long currentVersion() {
        return current == null ? 0 : current.version();
    }

    /** What {@code member} should run: the canary on its member, the current config everywhere else. */
    public ReplicatedConfig runFor(String member) {
        return canary != null && canary.canary().member().equals(member) ? canary : current;
    }

    /** The version {@code member} must report to count as current (0 while there is no config). */
    long expectedVersion(String member) {
        ReplicatedConfig config = runFor(member);
        return config == null ? 0 : config.version();
    }

    /** After a committed change: a plain change becomes current (and ends any canary), a canary goes on trial. */
    ConfigState with(Command.ConfigChange change) {
        ReplicatedConfig next = change.config();
        return next.canary() == null
                ? new ConfigState(next, null, next.version())
                : new ConfigState(current, next, next.version());
    }

    /** After a verdict on the canary: promoted, it becomes current everywhere; rolled back, it is gone. */
    ConfigState decided(boolean promote) {
        return promote ? new ConfigState(canary.withoutPlan(), null, lastVersion) : new ConfigState(current, null, lastVersion);
    }
}
