package dev.gatehouse.node;

import dev.gatehouse.admin.ConfigAnswer;
import dev.gatehouse.admin.Events;
import dev.gatehouse.alert.Alerts;
import dev.gatehouse.cluster.CanaryPlan;
import dev.gatehouse.cluster.ReplicatedConfig;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.Snapshot;
import dev.gatehouse.tls.TlsService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The config this node runs, and every way it changes: a reload of the file (SIGHUP), a PUT to the admin API, and
 * in a cluster a committed replicated version. Standalone, a change is applied here, whole or not at all. In a
 * cluster, a reload or a PUT only proposes the cluster-wide part as the next version ({@link ConfigProposals}),
 * and every node, this one included, applies it when it commits ({@link #applyReplicated}). What only a restart
 * can change (the node section, the cluster's membership and VIPs) is refused either way.
 */
final class ConfigChanges {

    /** Builds what a config describes here, whole or not at all. */
    @FunctionalInterface
    interface Applier {
        void apply(GatehouseConfig config) throws Exception;
    }

    private final Path file;
    private final boolean witness;
    private final Applier applier;
    private final Alerts alerts;
    private final Events events;
    private final TlsService tls;
    private volatile Snapshot snapshot;
    private volatile String sourceText;
    /** In a cluster, the cluster-wide text this node runs once it ran a replicated version; else null. */
    private volatile String sharedText;
    /** Set once the node has joined its cluster; null standalone. */
    private volatile ConfigProposals proposals;

    ConfigChanges(Snapshot snapshot, String sourceText, Path file, boolean witness, Applier applier, Alerts alerts,
            Events events, TlsService tls) {
        this.snapshot = snapshot;
        this.sourceText = sourceText;
        this.file = file;
        this.witness = witness;
        this.applier = applier;
        this.alerts = alerts;
        this.events = events;
        this.tls = tls;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** From now on a reload or a PUT is proposed to the cluster. */
    void clustered(ConfigProposals proposals) {
        this.proposals = proposals;
    }

    /** The directory relative paths in the config are resolved against. */
    Path baseDir() {
        return file == null ? Path.of(".") : file.toAbsolutePath().getParent();
    }

    /** Re-reads the config file (SIGHUP), then the listeners' certificate files. */
    List<String> reloadFile() {
        List<String> errors = readAndReload();
        if (errors.isEmpty() && !witness) {
            errors = tls.reloadFiles(); // a certificate renewed in place (same paths, same config) is taken on too
        }
        if (!errors.isEmpty()) {
            events.publish(EventKind.CONFIG_REFUSED, String.valueOf(file), "reload refused: " + String.join("; ", errors));
        }
        return errors;
    }

    private List<String> readAndReload() {
        if (file == null) {
            return List.of("no config file to reload");
        }
        try {
            String text = Files.readString(file);
            String source = file.toString();
            ConfigResult result = ConfigLoader.parse(text, source);
            if (!result.isValid()) {
                return result.errorLines();
            }
            if (proposals != null) {
                return proposeShared(result.config(), ConfigText.withoutNode(text), source, null).errors();
            }
            return reload(result.config(), text, source);
        } catch (IOException e) {
            return List.of(file + ": " + e.getMessage());
        }
    }

    /** {@code PUT /api/v1/config}: the cluster-wide part, with this node's section kept. */
    List<String> replace(String yaml) {
        String source = "PUT /api/v1/config";
        ConfigResult result = ConfigLoader.parseClusterWide(yaml, source, snapshot.config().node(), baseDir());
        if (!result.isValid()) {
            return result.errorLines();
        }
        if (proposals != null) {
            return proposeShared(result.config(), yaml, source, null).errors();
        }
        return reload(result.config(), ConfigText.nodeSection(sourceText) + yaml, source);
    }

    /** Proposes {@code yaml} to be tried on {@code member} first; in a cluster only. */
    ConfigAnswer canary(String yaml, String member, Duration watch, double maxErrorRate) {
        String source = "PUT /api/v1/config?canary=" + member;
        ConfigResult result = ConfigLoader.parseClusterWide(yaml, source, snapshot.config().node(), baseDir());
        if (!result.isValid()) {
            return new ConfigAnswer(0, result.errorLines());
        }
        return proposeShared(result.config(), yaml, source, new CanaryPlan(member, watch.toMillis(), maxErrorRate));
    }

    /** The cluster-wide config this node runs, as text. */
    String configYaml() {
        String shared = sharedText;
        return shared != null ? shared : ConfigText.withoutNode(sourceText);
    }

    /** Errors for the parts of {@code next} that a reload cannot change. */
    private List<String> unchangeable(GatehouseConfig next, String source) {
        GatehouseConfig current = snapshot.config();
        if (!next.node().equals(current.node())) {
            return List.of(source + ":1 node: the node section changed; restart the process to apply it");
        }
        if (!Objects.equals(next.cluster(), current.cluster())) {
            return List.of(source + ":1 cluster: membership and VIPs change by their own operation, not a reload; restart to apply");
        }
        return List.of();
    }

    private synchronized List<String> reload(GatehouseConfig next, String text, String source) {
        List<String> fixed = unchangeable(next, source);
        if (!fixed.isEmpty()) {
            return fixed;
        }
        if (witness) {
            return List.of(source + ":1 node: a witness runs no listeners or pools; nothing to reload");
        }
        try {
            applier.apply(next);
        } catch (Exception e) {
            return List.of(source + ": could not apply: " + e.getMessage());
        }
        snapshot = Snapshot.of(next, snapshot.version() + 1, source);
        sourceText = text;
        alerts.configure(next.alerts());
        events.publish("config", "version " + snapshot.version(), "applied from " + source
                + " (hash " + snapshot.hash().substring(0, 12) + ")");
        return List.of();
    }

    /**
     * Proposes {@code text} (cluster-wide; {@code next} is it parsed with this node's section) as the cluster's
     * next config; refused at once when it changes what only a restart can.
     */
    private ConfigAnswer proposeShared(GatehouseConfig next, String text, String label, CanaryPlan canary) {
        List<String> fixed = unchangeable(next, label);
        if (!fixed.isEmpty()) {
            return new ConfigAnswer(0, fixed);
        }
        return proposals.propose(text, label, canary);
    }

    /** Runs a committed cluster-wide config here; the errors when this node cannot (empty: it runs it now). */
    synchronized List<String> applyReplicated(ReplicatedConfig committed) {
        String label = "cluster config v" + committed.version();
        ConfigResult result = ConfigLoader.parseClusterWide(committed.text(), label, snapshot.config().node(), baseDir());
        if (!result.isValid()) {
            return result.errorLines(); // valid everywhere by the cluster's rules, but not with this node's section
        }
        GatehouseConfig next = result.config();
        // the same hash is the same config (the node started on the file the cluster runs): nothing to rebuild
        if (!witness && !Snapshot.hash(next).equals(snapshot.hash())) {
            try {
                applier.apply(next);
            } catch (Exception e) {
                return List.of(label + ": could not apply on this node: " + e.getMessage());
            }
        }
        snapshot = Snapshot.of(next, committed.version(), committed.label() + " via " + committed.origin());
        sharedText = committed.text();
        alerts.configure(next.alerts());
        return List.of();
    }
}
