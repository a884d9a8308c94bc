package dev.gatehouse.cluster;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a config change may become the next version. A pure function of the change, the version it follows
 * and the roster: the proposer runs it first for a clear answer, and every member runs it again when the entry
 * is committed, so a change that fails anywhere fails everywhere and nothing applies it.
 */
final class ConfigRules {

    /** Text above this is refused: one log entry must stay well below what Raft ships in one append. */
    static final int MAX_TEXT_CHARS = 1 << 20;

    private ConfigRules() {}

    /** A canary is watched at most this long. */
    static final long MAX_WATCH_MILLIS = 24 * 3600 * 1000L;

    /** The errors that refuse {@code change} in {@code state}; empty when it may apply. */
    static List<String> check(Command.ConfigChange proposed, ConfigState state, Roster roster) {
        ReplicatedConfig change = proposed.config();
        if (change.text().length() > MAX_TEXT_CHARS) {
            return List.of(change.label() + ": the config is larger than " + MAX_TEXT_CHARS + " characters");
        }
        ConfigResult result = ConfigLoader.parseShared(change.text(), change.label());
        if (!result.isValid()) {
            return result.errorLines();
        }
        List<String> errors = new ArrayList<>();
        var cluster = result.config().cluster();
        if (cluster == null || !roster.sameCluster(cluster)) {
            errors.add(change.label() + ":1 cluster: must stay as the cluster was started (name, members, vips, lease); "
                    + "those change by their own operation, not a config change");
        }
        if (!roster.members().containsKey(change.origin())) {
            errors.add(change.label() + ": proposed by " + change.origin() + ", which is not a cluster member");
        }
        String hash = Snapshot.hash(result.config());
        if (!hash.equals(change.hash())) {
            errors.add(change.label() + ": hash " + change.hash() + " does not match the text (" + hash + ")");
        }
        if (change.version() != state.lastVersion() + 1) {
            errors.add(change.label() + ": version " + change.version() + " does not follow version "
                    + state.lastVersion() + " (another change was committed meanwhile; fetch the config and retry)");
        }
        if (change.canary() != null) {
            errors.addAll(checkCanary(change, state, roster));
        }
        return errors;
    }

    private static List<String> checkCanary(ReplicatedConfig change, ConfigState state, Roster roster) {
        CanaryPlan plan = change.canary();
        List<String> errors = new ArrayList<>();
        String at = change.label() + ": canary: ";
        if (!roster.isNode(plan.member())) {
            errors.add(at + plan.member() + " is not a node of this cluster");
        }
        if (plan.watchMillis() <= 0 || plan.watchMillis() > MAX_WATCH_MILLIS) {
            errors.add(at + "the watch must be longer than 0 and at most 24h, was " + plan.watchMillis() + "ms");
        }
        if (!(plan.maxErrorRate() >= 0 && plan.maxErrorRate() <= 1)) {
            errors.add(at + "the error rate limit must be within 0%..100%, was " + plan.maxErrorRate());
        }
        if (state.current() == null) {
            errors.add(at + "the cluster has no config yet to roll back to");
        }
        if (state.canary() != null) {
            errors.add(at + "version " + state.canary().version() + " is on trial on " + state.canary().canary().member()
                    + "; wait for its verdict, or send a change without a canary to replace it");
        }
        return errors;
    }

    /** The change that proposes {@code text} after {@code lastVersion}, its hash computed from the text. */
    static Command.ConfigChange change(String text, long lastVersion, String origin, String label, CanaryPlan canary) {
        ConfigResult result = ConfigLoader.parseShared(text, label);
        String hash = result.isValid() ? Snapshot.hash(result.config()) : "invalid";
        return new Command.ConfigChange(new ReplicatedConfig(lastVersion + 1, hash, text, origin, label, canary));
    }
}
