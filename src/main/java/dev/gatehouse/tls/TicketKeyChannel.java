package dev.gatehouse.tls;

import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.time.WallClock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Session-ticket keys shared by the members through the cluster, so that a client whose ticket came from one node
 * resumes on another after a failover, without a full handshake. A node that serves TLS proposes a new key when the
 * newest the cluster committed is {@link TicketKeys#ROTATION} old, or when there is none. Keys take effect in log
 * order, the same on every member: the last committed encrypts, and every key created less than two rotations
 * before it still decrypts (at most {@link #MAX_KEYS}). Nodes that rotate at the same moment each commit a key; the
 * last one encrypts and the others only decrypt. Every member keeps the keys, a witness too, so that a member
 * restored from any member's snapshot has them. A payload is the key's creation time (wall-clock milliseconds at
 * the proposer) and its {@link TicketKeys#KEY_BYTES} bytes; the snapshot section is the count and the keys, oldest
 * first.
 */
public final class TicketKeyChannel implements ReplicatedChannel {

    static final int MAX_KEYS = 8;
    /** A proposal not committed after this long (no leader, a lost answer) may be made again. */
    static final long RETRY_MILLIS = 5_000;
    private static final long ROTATION_MILLIS = TicketKeys.ROTATION.toMillis();
    private static final long NEVER = Long.MIN_VALUE;

    private record Key(long createdAt, byte[] bytes) {}

    private final BooleanSupplier servesTls;
    private final Consumer<List<byte[]>> onKeys;
    private final WallClock clock;
    /** Committed keys, oldest first; guarded by this. */
    private final List<Key> keys = new ArrayList<>();
    /** When this node last proposed a key; {@link #NEVER} before its first. */
    private long proposedAt = NEVER;

    /**
     * @param servesTls whether this node has a TLS context (only those propose keys)
     * @param onKeys told the keys, newest first, each time they change; on the thread that applies the log
     */
    public TicketKeyChannel(BooleanSupplier servesTls, Consumer<List<byte[]>> onKeys, WallClock clock) {
        this.servesTls = servesTls;
        this.onKeys = onKeys;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "tls-ticket-keys";
    }

    @Override
    public void collect(Outbox outbox) {
        if (!servesTls.getAsBoolean()) {
            return;
        }
        long now = clock.millis();
        synchronized (this) {
            boolean due = keys.isEmpty() || now - keys.getLast().createdAt() >= ROTATION_MILLIS;
            if (!due || proposedAt != NEVER && now - proposedAt < RETRY_MILLIS) {
                return;
            }
            proposedAt = now;
        }
        byte[] key = TicketKeys.newKey();
        outbox.send(ByteBuffer.allocate(Long.BYTES + key.length).putLong(now).put(key).array(), () -> {});
    }

    @Override
    public boolean apply(String origin, boolean local, long sentAt, byte[] payload) {
        if (payload.length != Long.BYTES + TicketKeys.KEY_BYTES) {
            return false;
        }
        ByteBuffer in = ByteBuffer.wrap(payload);
        long createdAt = in.getLong();
        byte[] key = new byte[TicketKeys.KEY_BYTES];
        in.get(key);
        List<byte[]> newestFirst;
        synchronized (this) {
            keys.add(new Key(createdAt, key));
            newestFirst = trimmed();
        }
        onKeys.accept(newestFirst);
        return true;
    }

    /**
     * Drops the keys created two rotations or more before the newest (by the proposers' clocks, so the same on every
     * member), and all but the newest {@link #MAX_KEYS}; the keys left, newest first.
     */
    private List<byte[]> trimmed() {
        long newest = keys.getLast().createdAt();
        keys.removeIf(k -> newest - k.createdAt() >= 2 * ROTATION_MILLIS);
        while (keys.size() > MAX_KEYS) {
            keys.removeFirst();
        }
        return keys.reversed().stream().map(k -> k.bytes().clone()).toList();
    }

    @Override
    public synchronized void writeSnapshot(DataOutputStream out) throws IOException {
        out.writeInt(keys.size());
        for (Key k : keys) {
            out.writeLong(k.createdAt());
            out.write(k.bytes());
        }
    }

    @Override
    public void restore(DataInputStream in) throws IOException {
        List<byte[]> newestFirst;
        synchronized (this) {
            keys.clear();
            int count = in == null ? 0 : in.readInt();
            if (count < 0 || count > MAX_KEYS) {
                throw new IOException("a snapshot of " + count + " ticket keys");
            }
            for (int i = 0; i < count; i++) {
                long createdAt = in.readLong();
                byte[] key = new byte[TicketKeys.KEY_BYTES];
                in.readFully(key);
                keys.add(new Key(createdAt, key));
            }
            newestFirst = keys.isEmpty() ? List.of() : trimmed();
        }
        onKeys.accept(newestFirst);
    }
}
