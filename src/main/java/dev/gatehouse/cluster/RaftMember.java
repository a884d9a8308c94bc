package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * This member's Ratis server and the client it proposes with: their start and stop, proposals (each on the
 * executor the caller names), and what the member asks Ratis about leadership.
 */
final class RaftMember {

    private final String self;
    private final Roster roster;
    private final RaftGroup group;
    private final ClusterTls tls;
    private final Path storageDir;
    private final ClusterTimings timings;
    private final ClusterStateMachine stateMachine;
    private volatile Predicate<Command> dropProposals = c -> false;
    private volatile RaftServer server;
    private RaftClient client;

    RaftMember(String self, Roster roster, RaftGroup group, ClusterTls tls, Path storageDir, ClusterTimings timings,
            ClusterStateMachine stateMachine) {
        this.self = self;
        this.roster = roster;
        this.group = group;
        this.tls = tls;
        this.storageDir = storageDir;
        this.timings = timings;
        this.stateMachine = stateMachine;
    }

    void start() throws IOException {
        // Ratis ends the whole process (System.exit) when its server cannot start, e.g. the cluster port in use: a
        // node reports that as a failed start instead, with the cause, and a process hosting several keeps running
        ExitUtils.disableSystemExit();
        var properties = RaftSetup.properties(roster.members().get(self), storageDir, timings);
        var parameters = RaftSetup.parameters(tls);
        server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(self))
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setParameters(parameters)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        client = RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(group)
                .setProperties(properties)
                .setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
                        TimeDuration.valueOf(timings.tick().toMillis(), TimeUnit.MILLISECONDS)))
                .build();
    }

    /** Whether the server has been built (a fence link may come up before). */
    boolean started() {
        return server != null;
    }

    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    CompletableFuture<Outcome> propose(Command command, ExecutorService on) {
        if (dropProposals.test(command)) {
            return CompletableFuture.failedFuture(new IOException("dropped by test hook"));
        }
        return proposeRaw(CommandCodec.encode(command), on);
    }

    CompletableFuture<Outcome> proposeRaw(byte[] bytes, ExecutorService on) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(bytes)));
                if (!reply.isSuccess()) {
                    throw new CompletionException(reply.getException());
                }
                return Outcome.valueOf(reply.getMessage().getContent().toStringUtf8());
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, on);
    }

    /** Test hook: proposals matching {@code drop} fail without reaching the log. */
    void dropProposals(Predicate<Command> drop) {
        this.dropProposals = drop;
    }

    void snapshotNow() throws IOException {
        RaftClientReply reply = client.getSnapshotManagementApi(RaftPeerId.valueOf(self)).create(true, 5000);
        if (!reply.isSuccess()) {
            throw new IOException("snapshot refused", reply.getException());
        }
    }

    /** This member's view of its group: term and leader. Null before {@link #start}. */
    DivisionInfo info() throws IOException {
        RaftServer s = server;
        return s == null ? null : s.getDivision(group.getGroupId()).getInfo();
    }

    String leaderId() {
        try {
            RaftPeerId id = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
            return id == null ? null : id.toString();
        } catch (IOException e) {
            return null;
        }
    }

    boolean isReadyLeader() {
        try {
            DivisionInfo info = server.getDivision(group.getGroupId()).getInfo();
            return info.isLeader() && info.isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    /** On the leader: how long each follower has been silent, in ms, by id. */
    Map<String, Long> followerSilence() throws IOException {
        Map<String, Long> silence = new LinkedHashMap<>();
        server.getDivision(group.getGroupId()).getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()
                .forEach(f -> silence.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs()));
        return silence;
    }

    void transferLeadership(String target, long timeoutMillis) throws IOException {
        client.admin().transferLeadership(RaftPeerId.valueOf(target), timeoutMillis);
    }
}
