package dev.gatehouse.cluster;

import dev.gatehouse.FreePorts;
import dev.gatehouse.config.ClusterConfig;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.Preempt;
import dev.gatehouse.config.ClusterConfig.Role;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.limit.UsageChannel;
import dev.gatehouse.stick.StickChannel;
import dev.gatehouse.stick.StickTable;
import dev.gatehouse.stick.StickTables;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.time.WallClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** lb1 (150), lb2 (100) and witness w1 on 127.0.0.1, each its own Ratis server in this JVM. */
final class TestCluster implements AutoCloseable {

    static final String VIP = "front";

    final ClusterConfig config;
    final VipLog log = new VipLog();
    final Map<String, Boolean> able = new ConcurrentHashMap<>();
    final Map<String, ClusterMember> members = new LinkedHashMap<>();
    /** Each member's stick tables and rate usage; a restarted member starts with empty ones, as a new process would. */
    final Map<String, StickTables> stickTables = new ConcurrentHashMap<>();
    final Map<String, TestUsage> usage = new ConcurrentHashMap<>();
    private final Path dir;

    TestCluster(Path dir, Preempt preempt) {
        this.dir = dir;
        Path secret = write(dir.resolve("cluster.key"), "correct horse battery staple 42");
        List<MemberConfig> m = List.of(
                new MemberConfig("lb1", new HostPort("127.0.0.1", FreePorts.cluster("127.0.0.1")), 150, Role.NODE),
                new MemberConfig("lb2", new HostPort("127.0.0.1", FreePorts.cluster("127.0.0.1")), 100, Role.NODE),
                new MemberConfig("w1", new HostPort("127.0.0.1", FreePorts.cluster("127.0.0.1")), 0, Role.WITNESS));
        VipConfig vip = new VipConfig(VIP, "127.0.0.10", Driver.LOOPBACK, null, Mode.ACTIVE_PASSIVE, preempt);
        config = new ClusterConfig("test-edge", secret, m, List.of(vip));
    }

    TestCluster start(String... ids) throws IOException {
        for (String id : ids) {
            start(id, config);
        }
        return this;
    }

    ClusterMember start(String id, ClusterConfig withConfig) throws IOException {
        able.putIfAbsent(id, true);
        ClusterMember member = new ClusterMember(withConfig, id, raftDir(id),
                () -> able.get(id), log.driverFor(id), new ClusterListener() {}, ClusterTimings.defaults(),
                Ticker.system());
        members.put(id, member);
        stickTables.put(id, new StickTables(WallClock.system()));
        usage.put(id, new TestUsage());
        member.register(new StickChannel(stickTables.get(id), WallClock.system()));
        member.register(new UsageChannel(usage.get(id), WallClock.system()));
        member.start();
        return member;
    }

    ClusterMember member(String id) {
        return members.get(id);
    }

    /** Where member {@code id} keeps its Raft log and snapshots. */
    Path raftDir(String id) {
        return dir.resolve("raft-" + id);
    }

    /** How many entries member {@code id}'s stick table {@code table} holds (0 if it has none). */
    int stickEntries(String id, String table) {
        StickTable t = stickTables.get(id).get(table);
        return t == null ? 0 : t.entries();
    }

    String ownerInState() {
        for (ClusterMember m : members.values()) {
            VipState v = m.view().vips().get(VIP);
            if (v != null && v.owned()) return v.owner();
        }
        return null;
    }

    static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    static Preempt preempt(boolean enabled, Duration delay) {
        return new Preempt(enabled, delay);
    }

    @Override
    public void close() {
        for (ClusterMember m : members.values()) {
            try {
                m.close();
            } catch (Exception e) {
                // best effort: the others must still stop
            }
        }
    }
}
