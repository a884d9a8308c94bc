package dev.gatehouse.gslb;

import dev.gatehouse.config.GslbConfig;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Record;

/**
 * What one dynamic record may answer with for one address family while the targets are in a given state: the
 * healthy targets in config order, or, when none is, the fail-open set (the fallback addresses, or every target).
 * The policy picks among them per query.
 *
 * @param upWeight the sum of the healthy targets' weights, for the weighted policy's draw
 */
record Candidates(GslbConfig.Policy policy, List<DynamicRecord.Answer> up, List<DynamicRecord.Answer> all,
        List<Record> failOpen, int upWeight) {

    /** The candidates of {@code record}'s targets of one family. */
    static Candidates of(DynamicRecord record, boolean ipv4, TargetStates states) {
        List<DynamicRecord.Answer> all = record.targets().stream().filter(a -> a.ipv4() == ipv4).toList();
        List<DynamicRecord.Answer> up = all.stream().filter(a -> states.up(a.target())).toList();
        List<Record> failOpen = !up.isEmpty() ? List.of()
                : record.fallback().isEmpty() ? all.stream().map(DynamicRecord.Answer::record).toList()
                : record.fallback().stream().filter(r -> (r instanceof ARecord) == ipv4).toList();
        return new Candidates(record.policy(), up, all, failOpen, up.stream().mapToInt(a -> a.config().weight()).sum());
    }

    boolean failingOpen() {
        return up.isEmpty();
    }

    /**
     * Adds the answer to {@code out} for a client at {@code client} (raw address bytes; null when unknown) and
     * returns the ECS scope prefix length the answer holds for: 0 when it does not depend on the client's address.
     */
    int select(byte[] client, List<Record> out) {
        if (up.isEmpty()) {
            out.addAll(failOpen);
            return 0;
        }
        switch (policy) {
            case FAILOVER -> {
                return failover(client, out);
            }
            case ALL_HEALTHY -> up.forEach(a -> out.add(a.record()));
            case WEIGHTED -> out.add(weighted().record());
            case GEO -> {
                return geo(client, out);
            }
        }
        return 0;
    }

    /** In all the transfers: what a server that cannot choose per query answers. */
    void current(List<Record> out) {
        if (up.isEmpty()) {
            out.addAll(failOpen);
        } else if (policy == GslbConfig.Policy.FAILOVER) {
            out.add(up.getFirst().record());
        } else {
            up.forEach(a -> out.add(a.record()));
        }
    }

    /**
     * The first healthy target in config order, but a healthy target whose networks hold the client (most specifically)
     * comes first for that client: failover with a home region per client network.
     */
    private int failover(byte[] client, List<Record> out) {
        int best = client == null ? -1 : bestPrefix(client);
        for (DynamicRecord.Answer a : up) {
            if (best < 0 || matches(a, client, best)) {
                out.add(a.record());
                return scope(client);
            }
        }
        return 0;
    }

    /** The longest prefix among the healthy targets' networks that holds {@code client}; -1 when none does. */
    private int bestPrefix(byte[] client) {
        int best = -1;
        for (DynamicRecord.Answer a : up) {
            for (Network n : a.networks()) {
                if (n.prefix() > best && n.contains(client)) {
                    best = n.prefix();
                }
            }
        }
        return best;
    }

    private DynamicRecord.Answer weighted() {
        int pick = ThreadLocalRandom.current().nextInt(upWeight);
        for (DynamicRecord.Answer a : up) {
            pick -= a.config().weight();
            if (pick < 0) {
                return a;
            }
        }
        return up.getLast();
    }

    /**
     * The healthy targets whose networks hold the client most specifically; else the healthy targets without
     * networks; else every healthy target. The scope is the shortest prefix of the client's address inside which
     * every address gets the same answer: for each configured network, either inside it or clear of it.
     */
    private int geo(byte[] client, List<Record> out) {
        int best = client == null ? -1 : bestPrefix(client);
        int before = out.size();
        for (DynamicRecord.Answer a : up) {
            if (best >= 0 ? matches(a, client, best) : a.networks().isEmpty()) {
                out.add(a.record());
            }
        }
        if (out.size() == before) {
            up.forEach(a -> out.add(a.record()));
        }
        return client == null ? 0 : scope(client);
    }

    private static boolean matches(DynamicRecord.Answer a, byte[] client, int prefix) {
        for (Network n : a.networks()) {
            if (n.prefix() == prefix && n.contains(client)) {
                return true;
            }
        }
        return false;
    }

    private int scope(byte[] client) {
        if (client == null) {
            return 0;
        }
        int scope = 0;
        for (DynamicRecord.Answer a : all) {
            for (Network n : a.networks()) {
                if (n.address().length != client.length) {
                    continue;
                }
                int shared = Network.commonPrefix(client, n.address(), n.prefix());
                scope = Math.max(scope, shared >= n.prefix() ? n.prefix() : shared + 1);
            }
        }
        return scope;
    }
}
