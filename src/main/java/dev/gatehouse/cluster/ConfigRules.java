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

    /** The errors that refuse {@code change} after {@code currentVersion}; empty when it may apply. */
    static List<String> check(Command.ConfigChange change, long currentVersion, Roster roster) {
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
            errors.add(change.label() + ":1 cluster: must stay as the cluster was started (name, members, vips); "
                    + "those change by their own operation, not a config change");
        }
        if (!roster.members().containsKey(change.origin())) {
            errors.add(change.label() + ": proposed by " + change.origin() + ", which is not a cluster member");
        }
        String hash = Snapshot.hash(result.config());
        if (!hash.equals(change.hash())) {
            errors.add(change.label() + ": hash " + change.hash() + " does not match the text (" + hash + ")");
        }
        if (change.version() != currentVersion + 1) {
            errors.add(change.label() + ": version " + change.version() + " does not follow the current version "
                    + currentVersion + " (another change was committed meanwhile; fetch the config and retry)");
        }
        return errors;
    }

    /** The change that proposes {@code text} after {@code currentVersion}, its hash computed from the text. */
    static Command.ConfigChange change(String text, long currentVersion, String origin, String label) {
        ConfigResult result = ConfigLoader.parseShared(text, label);
        String hash = result.isValid() ? Snapshot.hash(result.config()) : "invalid";
        return new Command.ConfigChange(currentVersion + 1, hash, text, origin, label);
    }
}
