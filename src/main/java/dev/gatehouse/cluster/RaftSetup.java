package dev.gatehouse.cluster;

import dev.gatehouse.config.ClusterConfig.MemberConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** The Ratis settings Gatehouse runs with, in one place. */
final class RaftSetup {

    /**
     * Snapshot (and purge the log up to it) every this many entries: a few minutes of renewals and reports. Each
     * entry of a closed segment not yet purged still costs an index record in memory.
     */
    static final long SNAPSHOT_EVERY = 4_096;
    /**
     * A log segment's size on disk (renewals and reports take ~70 bytes each: some 3,600 a segment). Ratis keeps
     * every entry of the open segment in memory until it is full, and ~200 bytes of index for every entry not yet
     * purged; a purge drops only whole closed segments. Ratis' default, 32 MiB, is days of renewals: with it the heap
     * grew by ~0.14 MiB a minute on every member. An entry larger than this (a big config) gets a segment of its own.
     */
    static final SizeInBytes SEGMENT_SIZE = SizeInBytes.valueOf("256KB");
    /** Closed segments whose entries stay in memory (for a follower catching up); older ones are read from disk. */
    private static final int SEGMENTS_CACHED = 2;

    private RaftSetup() {}

    /** The group id is a name-based UUID of the cluster name, so every member derives the same one. */
    static RaftGroup group(String clusterName, Roster roster) {
        UUID id = UUID.nameUUIDFromBytes(("gatehouse-cluster:" + clusterName).getBytes(StandardCharsets.UTF_8));
        List<RaftPeer> peers = roster.members().values().stream().map(RaftSetup::peer).toList();
        return RaftGroup.valueOf(RaftGroupId.valueOf(id), peers);
    }

    /** Every member has the same Raft priority: see {@link LeaderPlacement} for where leadership goes. */
    private static RaftPeer peer(MemberConfig m) {
        return RaftPeer.newBuilder().setId(m.id()).setAddress(m.address().toString()).build();
    }

    static RaftProperties properties(MemberConfig self, Path storageDir, ClusterTimings timings) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setHost(p, self.address().host());
        GrpcConfigKeys.Server.setPort(p, self.address().port());
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(timings.electionMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(timings.electionMax()));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, millis(timings.electionMin()));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, millis(timings.electionMax()));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(timings.requestTimeout()));
        // a leader cut off from the majority steps down soon, instead of after the default 10 s
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, millis(timings.electionMax().multipliedBy(2)));
        // Ratis' default backs off to 1 s, then 5 s, between attempts to reach a follower that failed: a node
        // restarted after a crash would then go unreplicated for seconds, and if the other node died in that
        // window the leader would have no working majority. Retry at heartbeat pace instead.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, appenderRetry(timings));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, SNAPSHOT_EVERY);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SEGMENT_SIZE);
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SEGMENT_SIZE);
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, SEGMENTS_CACHED);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, millis(timings.requestTimeout()));
        return p;
    }

    /** A few immediate retries, then one every half minimum election timeout, indefinitely. */
    private static String appenderRetry(ClusterTimings timings) {
        return "1ms,5, " + timings.electionMin().dividedBy(2).toMillis() + "ms," + Integer.MAX_VALUE;
    }

    static Parameters parameters(ClusterTls tls) {
        Parameters parameters = new Parameters();
        GrpcConfigKeys.TLS.setConf(parameters, tls.config());
        GrpcConfigKeys.Server.setTlsConf(parameters, tls.config());
        GrpcConfigKeys.Client.setTlsConf(parameters, tls.config());
        GrpcConfigKeys.Admin.setTlsConf(parameters, tls.config());
        return parameters;
    }

    private static TimeDuration millis(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }
}
