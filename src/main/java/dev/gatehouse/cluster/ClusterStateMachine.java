package dev.gatehouse.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gatehouse.cluster.ClusterState.Applied;
import dev.gatehouse.cluster.ClusterState.Outcome;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis glue around {@link ClusterState}: decodes each committed entry, applies it (a channel's payload goes to its
 * channel, see {@link ChannelSync}), answers with the outcome, and keeps a one-file snapshot of the state and the
 * channels ({@link SnapshotFile}) so the log (a renewal every lease/3) can be purged. The snapshot carries the
 * current config, so a member that catches up from a snapshot gets the config with it.
 */
final class ClusterStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterStateMachine.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** The newest snapshot, and the one before it should an install to a member be sending it meanwhile. */
    static final int SNAPSHOTS_KEPT = 2;

    private final Roster roster;
    private final Observations seen;
    private final Runnable onApplied;
    private final Consumer<String> onLeaderChanged;
    private final ChannelSync channels;
    private final String self;
    private final ClusterListener configListener;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final AtomicLong malformed = new AtomicLong();
    private volatile ClusterState state;
    /** The config last handed to this member's listener, so each is handed over once. */
    private ReplicatedConfig delivered;

    /** @param configListener told, in log order, what config {@code self} should run and of canary verdicts */
    ClusterStateMachine(Roster roster, Observations seen, Runnable onApplied, Consumer<String> onLeaderChanged,
            ChannelSync channels, String self, ClusterListener configListener) {
        this.roster = roster;
        this.channels = channels;
        this.seen = seen;
        this.onApplied = onApplied;
        this.onLeaderChanged = onLeaderChanged;
        this.self = self;
        this.configListener = configListener;
        this.state = ClusterState.initial(roster);
    }

    ClusterState state() {
        return state;
    }

    long malformed() {
        return malformed.get();
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadSnapshot, IOException.class);
    }

    /**
     * A member too far behind for the leader's log (purged behind a snapshot) is sent the leader's snapshot: Ratis
     * pauses this machine, installs the file and then calls {@link #reinitialize}, and refuses (closing the server)
     * a machine that did not pause.
     */
    @Override
    public synchronized void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public synchronized void reinitialize() throws IOException {
        loadSnapshot();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        Command command = CommandCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
        ClusterState before = state;
        Applied applied = before.apply(command, entry.getIndex(), roster);
        if (command instanceof Command.Channel c && !channels.apply(c)) {
            applied = new Applied(applied.state(), Outcome.MALFORMED);
        }
        if (applied.outcome() == Outcome.MALFORMED) {
            malformed.incrementAndGet();
            LOG.warn("cluster log entry {} is not a valid command; ignored", entry.getIndex());
        }
        state = applied.state();
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        if (command != null) {
            seen.applied(command, applied.outcome());
        }
        if (applied.outcome() == Outcome.ACCEPTED) {
            configChanged(command, before.config(), applied.state().config());
        }
        if (command instanceof Command.ConfigChange change && applied.outcome() != Outcome.ACCEPTED) {
            ReplicatedConfig c = change.config();
            // a stale version is the loser of a race (members offering their files at start): not worth a warning
            boolean stale = c.version() <= before.config().lastVersion();
            if (stale) {
                LOG.debug("config change to version {} from {} refused: the version is taken", c.version(), c.origin());
            } else {
                LOG.warn("config change to version {} from {} refused: {}", c.version(), c.origin(),
                        ConfigRules.check(change, before.config(), roster));
            }
        }
        onApplied.run();
        return CompletableFuture.completedFuture(Message.valueOf(applied.outcome().name()));
    }

    private void configChanged(Command command, ConfigState before, ConfigState after) {
        switch (command) {
            case Command.ConfigChange change -> {
                ReplicatedConfig c = change.config();
                if (c.canary() != null) {
                    configListener.canary(c, "started", "on " + c.canary().member() + " alone for "
                            + c.canary().watchMillis() + "ms; rolled back above " + percent(c.canary().maxErrorRate()) + " 5xx");
                }
                deliverConfig(after);
            }
            case Command.CanaryVerdict v -> {
                configListener.canary(before.canary(), v.promote() ? "promoted" : "rolled back", v.reason());
                deliverConfig(after);
            }
            default -> {}
        }
    }

    /** Hands this member what it should run, when that changed. */
    private void deliverConfig(ConfigState config) {
        ReplicatedConfig mine = config.runFor(self);
        if (mine != null && !mine.equals(delivered)) {
            delivered = mine;
            configListener.configCommitted(mine);
        }
    }

    private static String percent(double rate) {
        return String.format(java.util.Locale.ROOT, "%.2f%%", rate * 100);
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        SnapshotFile.write(file.toPath(), JSON.writeValueAsBytes(state), channels.channels());
        SnapshotFile.keepNewest(file.toPath().getParent(), SNAPSHOTS_KEPT);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), null), last));
        return last.getIndex();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        onLeaderChanged.accept(newLeaderId == null ? null : newLeaderId.toString());
    }

    private void loadSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            return;
        }
        SnapshotFile.Contents contents = SnapshotFile.read(snapshot.getFile().getPath());
        ClusterState loaded = JSON.readValue(contents.state(), ClusterState.class);
        channels.restore(contents.sections());
        state = loaded;
        seen.loaded(loaded);
        setLastAppliedTermIndex(snapshot.getTermIndex());
        delivered = null;
        deliverConfig(loaded.config());
    }
}
