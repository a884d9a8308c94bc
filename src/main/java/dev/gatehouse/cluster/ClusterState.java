package dev.gatehouse.cluster;

import dev.gatehouse.cluster.Command.CanaryVerdict;
import dev.gatehouse.cluster.Command.ConfigChange;
import dev.gatehouse.cluster.Command.Grant;
import dev.gatehouse.cluster.Command.Handover;
import dev.gatehouse.cluster.Command.Release;
import dev.gatehouse.cluster.Command.Renew;
import dev.gatehouse.cluster.Command.Report;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated state: one {@link VipState} per VIP, the last {@link MemberReport} of each member, and the
 * cluster-wide config ({@link ConfigState}). Immutable;
 * {@link #apply} is a pure function of the state, the command, the log index and the roster (no clock, no
 * randomness), so every member computes the same states from the same log.
 */
record ClusterState(Map<String, VipState> vips, Map<String, MemberReport> reports, ConfigState config) {

    enum Outcome { ACCEPTED, REJECTED, MALFORMED }

    record Applied(ClusterState state, Outcome outcome) {}

    ClusterState {
        vips = Map.copyOf(vips);
        reports = Map.copyOf(reports);
    }

    static ClusterState initial(Roster roster) {
        Map<String, VipState> vips = new TreeMap<>();
        roster.vips().keySet().forEach(name -> vips.put(name, VipState.UNOWNED));
        return new ClusterState(vips, Map.of(), ConfigState.NONE);
    }

    /** The version of the config every node runs; 0 before the first is committed. */
    long configVersion() {
        return config.currentVersion();
    }

    VipState vip(String name) {
        return vips.get(name);
    }

    Applied apply(Command command, long index, Roster roster) {
        return switch (command) {
            case null -> new Applied(this, Outcome.MALFORMED);
            case Report r -> roster.members().containsKey(r.member())
                    ? accept(new ClusterState(vips, with(reports, r.member(),
                            new MemberReport(r.canServe(), r.priority(), index, r.configVersion())), config))
                    : reject();
            case Grant g -> applyGrant(g, index, roster);
            case Renew r -> {
                VipState v = vips.get(r.vip());
                yield v != null && r.owner().equals(v.owner()) && r.epoch() == v.epoch()
                        ? withVip(r.vip(),
                                new VipState(v.owner(), v.epoch(), v.reason(), index, v.handover(), v.predecessor()))
                        : reject();
            }
            case Release r -> {
                VipState v = vips.get(r.vip());
                if (v == null || !r.owner().equals(v.owner()) || r.epoch() != v.epoch()) {
                    yield reject();
                }
                Map<String, VipState> released = with(vips, r.vip(), new VipState(null, v.epoch(), r.reason(), index, null,
                        r.handingOver() ? r.owner() : null));
                MemberReport last = reports.get(r.owner());
                yield r.canServe() || last == null
                        ? accept(new ClusterState(released, reports, config))
                        : accept(new ClusterState(released, with(reports, r.owner(),
                                new MemberReport(false, last.priority(), index, last.configVersion())), config));
            }
            case Handover h -> {
                VipState v = vips.get(h.vip());
                yield v != null && v.owned() && h.epoch() == v.epoch() && v.handover() == null
                        ? withVip(h.vip(),
                                new VipState(v.owner(), v.epoch(), v.reason(), index, h.reason(), v.predecessor()))
                        : reject();
            }
            // Channels live beside this state (they change too often to copy it per entry): see ChannelSync.
            case Command.Channel c -> accept(this);
            case ConfigChange c -> ConfigRules.check(c, config, roster).isEmpty()
                    ? accept(new ClusterState(vips, reports, config.with(c)))
                    : reject();
            case CanaryVerdict v -> config.canary() != null && config.canary().version() == v.version()
                    ? accept(new ClusterState(vips, reports, config.decided(v.promote())))
                    : reject();
        };
    }

    private Applied applyGrant(Grant g, long index, Roster roster) {
        VipState v = vips.get(g.vip());
        boolean valid = v != null
                && roster.isNode(g.owner()) // a witness never owns, whatever a controller proposes
                && g.epoch() == v.epoch() + 1
                && g.expectedVersion() == v.version();
        return valid ? withVip(g.vip(),
                // a node that released gracefully may still finish connections; one whose lease ran out does not
                new VipState(g.owner(), g.epoch(), g.reason(), index, null, v.owned() ? null : v.predecessor()))
                : reject();
    }

    private Applied withVip(String name, VipState next) {
        return accept(new ClusterState(with(vips, name, next), reports, config));
    }

    private Applied accept(ClusterState next) {
        return new Applied(next, Outcome.ACCEPTED);
    }

    private Applied reject() {
        return new Applied(this, Outcome.REJECTED);
    }

    private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
        Map<String, V> copy = new TreeMap<>(map);
        copy.put(key, value);
        return copy;
    }
}
