package dev.gatehouse.cluster;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.config.Names;
import java.util.Objects;

/** An entry of the replicated log. Small, and encoded by {@link CommandCodec}, never by Java serialization. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Command.Report.class, name = "report"),
    @JsonSubTypes.Type(value = Command.Grant.class, name = "grant"),
    @JsonSubTypes.Type(value = Command.Renew.class, name = "renew"),
    @JsonSubTypes.Type(value = Command.Release.class, name = "release"),
    @JsonSubTypes.Type(value = Command.Handover.class, name = "handover"),
    @JsonSubTypes.Type(value = Command.Channel.class, name = "channel"),
    @JsonSubTypes.Type(value = Command.ConfigChange.class, name = "config"),
    @JsonSubTypes.Type(value = Command.CanaryVerdict.class, name = "canary-verdict")
})
sealed interface Command {

    /**
     * A member says whether it can serve traffic now, and which config version it runs ({@code 0}: none from the
     * cluster yet); only a node running the current version is granted a VIP.
     */
    record Report(String member, boolean canServe, int priority, long configVersion) implements Command {
        public Report {
            Objects.requireNonNull(member, "member");
        }
    }

    /**
     * The controller gives a VIP to a node. Applies only if {@code epoch} is the next epoch and the VIP record is
     * still at {@code expectedVersion}: a renewal committed after the controller looked makes the grant void.
     */
    record Grant(String vip, String owner, long epoch, long expectedVersion, String reason) implements Command {
        public Grant {
            Objects.requireNonNull(vip, "vip");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The owner of {@code epoch} proves it is still in the majority. */
    record Renew(String vip, String owner, long epoch) implements Command {
        public Renew {
            Objects.requireNonNull(vip, "vip");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * The owner of {@code epoch} gives the VIP up: it has stopped serving it (the driver already released it), or,
     * {@code handingOver}, it keeps serving what it accepted until its successor serves (a graceful handover).
     * {@code canServe} false (demoted, unhealthy, shutting down) also records that the owner cannot serve, in the
     * same entry, so the controller never grants the VIP straight back to the node that just gave it up.
     */
    record Release(String vip, String owner, long epoch, String reason, boolean canServe, boolean handingOver)
            implements Command {
        public Release {
            Objects.requireNonNull(vip, "vip");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The controller asks the owner of {@code epoch} to release (preemption). */
    record Handover(String vip, long epoch, String reason) implements Command {
        public Handover {
            Objects.requireNonNull(vip, "vip");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A payload of {@link ReplicatedChannel} {@code channel}, sent by {@code origin} at wall-clock {@code at}. The
     * cluster does not read it: applied beside the replicated state, never in it (see {@link ChannelSync}).
     */
    record Channel(String channel, String origin, long at, byte[] payload) implements Command {
        public Channel {
            Names.identifier(Objects.requireNonNull(channel, "channel"));
            Objects.requireNonNull(origin, "origin");
            if (Objects.requireNonNull(payload, "payload").length > ReplicatedChannel.MAX_PAYLOAD) {
                throw new IllegalArgumentException("payload must be at most " + ReplicatedChannel.MAX_PAYLOAD + " bytes");
            }
        }
    }

    /**
     * The next cluster-wide config, as it will stand once committed. Applies only if its version is the next
     * version and its text passes the same validation on every member ({@link ConfigRules}); its hash must be the
     * hash of what the text says. With a canary plan it runs on that member alone until a {@link CanaryVerdict}.
     */
    record ConfigChange(ReplicatedConfig config) implements Command {
        public ConfigChange {
            Objects.requireNonNull(config, "config");
        }
    }

    /** The canary member's judgement of canary {@code version}: promote it to every node, or roll it back. */
    record CanaryVerdict(long version, boolean promote, String reason) implements Command {
        public CanaryVerdict {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
