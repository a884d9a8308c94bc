package dev.gatehouse.cluster;

import dev.gatehouse.cluster.ClusterState.Outcome;
import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.config.Names;
import dev.gatehouse.time.WallClock;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the member's {@link ReplicatedChannel}s: every {@link #PERIOD_MILLIS} a control-plane thread collects what
 * they queued and proposes it through the Raft log, so it travels over the same authenticated transport as
 * everything else; committed payloads go back to their channel on every member, and each channel has a section of
 * the snapshot, so a member that joins or restarts gets their state back through Ratis' snapshot and log catch-up.
 */
final class ChannelSync implements AutoCloseable {

    static final long PERIOD_MILLIS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(ChannelSync.class);

    private final String self;
    private final WallClock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<ReplicatedChannel> channels = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService timer;

    ChannelSync(String self, WallClock clock) {
        this.self = self;
        this.clock = clock;
    }

    /** Adds {@code channel}; before {@link #start} and before the state machine loads its snapshot. */
    void register(ReplicatedChannel channel) {
        Names.identifier(channel.name());
        if (timer != null) {
            throw new IllegalStateException("channel " + channel.name() + " registered after the start");
        }
        if (find(channel.name()) != null) {
            throw new IllegalArgumentException("channel " + channel.name() + " registered twice");
        }
        channels.add(channel);
    }

    Collection<ReplicatedChannel> channels() {
        return channels;
    }

    void start(Proposer proposer) {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("gatehouse-channel-sync-" + self).factory());
        timer.scheduleWithFixedDelay(() -> flush(proposer), PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** One round; nothing is collected while a payload of an earlier round is still in flight. */
    void flush(Proposer proposer) {
        if (inFlight.get() > 0) {
            return;
        }
        for (ReplicatedChannel channel : channels) {
            try {
                channel.collect((payload, onFailed) -> send(proposer,
                        new Command.Channel(channel.name(), self, clock.millis(), payload), onFailed));
            } catch (RuntimeException e) {
                LOG.warn("channel {}: round failed", channel.name(), e);
            }
        }
    }

    private void send(Proposer proposer, Command command, Runnable onFailed) {
        inFlight.incrementAndGet();
        CompletableFuture<Outcome> sent;
        try {
            sent = proposer.propose(command);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((outcome, error) -> {
            inFlight.decrementAndGet();
            if (error != null) {
                LOG.debug("channel update not replicated", error);
                onFailed.run();
            }
        });
    }

    /**
     * Hands a committed payload to its channel; called by the state machine, in log order, on every member. A
     * payload of a channel this member does not run (a newer member's, or one this node does not use) is ignored.
     *
     * @return false when the channel found the payload malformed, or failed on it
     */
    boolean apply(Command.Channel c) {
        ReplicatedChannel channel = find(c.channel());
        if (channel == null) {
            return true;
        }
        try {
            return channel.apply(c.origin(), c.origin().equals(self), c.at(), c.payload());
        } catch (RuntimeException e) {
            // a channel's fault must not stop the thread that applies the log (renewals included)
            LOG.error("channel {}: a payload from {} could not be applied", c.channel(), c.origin(), e);
            return false;
        }
    }

    /**
     * Gives each channel its section of a snapshot: a section that cannot be read is logged, and the channel keeps
     * what it read of it.
     */
    void restore(Map<String, byte[]> sections) {
        for (ReplicatedChannel channel : channels) {
            byte[] section = sections.get(channel.name());
            try {
                channel.restore(section == null ? null : new DataInputStream(new ByteArrayInputStream(section)));
            } catch (IOException | RuntimeException e) {
                LOG.warn("snapshot: channel {}'s section is malformed; kept what was read of it", channel.name(), e);
            }
        }
    }

    private ReplicatedChannel find(String name) {
        for (ReplicatedChannel channel : channels) {
            if (channel.name().equals(name)) {
                return channel;
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
