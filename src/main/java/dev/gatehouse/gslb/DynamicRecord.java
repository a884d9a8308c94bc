package dev.gatehouse.gslb;

import dev.gatehouse.config.GslbConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * A record whose A and AAAA answers come from health-checked targets under a policy. Immutable; which targets are
 * up comes in as a {@link TargetStates}, and what that leaves to choose from is a {@link Candidates}.
 *
 * @param index this record's position among the zone's dynamic records
 * @param firstTarget the zone-wide index of its first target (targets are numbered across the zone, in file order)
 */
record DynamicRecord(Name name, GslbConfig.RecordSet config, int index, int firstTarget, List<Answer> targets,
        List<Record> fallback) {

    /** A target and the record it answers with. {@code networks} its geo networks. */
    record Answer(int target, GslbConfig.Target config, Record record, List<Network> networks) {

        boolean ipv4() {
            return record instanceof ARecord;
        }
    }

    DynamicRecord(Name name, GslbConfig.RecordSet config, int index, int firstTarget) {
        this(name, config, index, firstTarget, answers(name, config, firstTarget), fallbackRecords(name, config));
    }

    private static List<Answer> answers(Name name, GslbConfig.RecordSet config, int firstTarget) {
        List<Answer> out = new ArrayList<>();
        for (GslbConfig.Target t : config.targets()) {
            out.add(new Answer(firstTarget + out.size(), t, addressRecord(name, config.ttl(), t.address()),
                    t.geo().stream().map(Network::parse).toList()));
        }
        return List.copyOf(out);
    }

    private static List<Record> fallbackRecords(Name name, GslbConfig.RecordSet config) {
        return config.fallback().stream().map(a -> addressRecord(name, config.ttl(), a)).toList();
    }

    static Record addressRecord(Name name, int ttl, String address) {
        InetAddress ip = InetAddress.ofLiteral(address);
        return ip instanceof Inet4Address ? new ARecord(name, DClass.IN, ttl, ip) : new AAAARecord(name, DClass.IN, ttl, ip);
    }

    GslbConfig.Policy policy() {
        return config.policy();
    }
}
