package dev.gatehouse.limit;

import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.time.WallClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Shares per-client rate usage: each round, the requests admitted here since the last one, per listener and
 * client. Only the other members apply it, and only while fresh: a log replayed at restart must not throttle
 * clients for old requests. A payload is an entry count, then per entry the listener and client (modified UTF-8,
 * as {@link DataOutputStream#writeUTF}) and the request count. Usage has no snapshot: it is only worth its freshness.
 */
public final class UsageChannel implements ReplicatedChannel {

    /** Usage older than this is ignored. */
    public static final long MAX_AGE_MILLIS = 2000;

    private record Entry(String listener, String client, long requests) {}

    private final UsageExchange usage;
    private final WallClock clock;

    public UsageChannel(UsageExchange usage, WallClock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "usage";
    }

    /** Sends the drained usage in payloads of at most {@link #MAX_PAYLOAD} bytes; what fails is not sent again. */
    @Override
    public void collect(Outbox outbox) {
        List<Entry> drained = new ArrayList<>();
        usage.drainLocal((listener, client, requests) -> drained.add(new Entry(listener, client, requests)));
        int from = 0;
        int bytes = Integer.BYTES;
        for (int i = 0; i < drained.size(); i++) {
            int size = size(drained.get(i));
            if (bytes + size > MAX_PAYLOAD) {
                outbox.send(encode(drained.subList(from, i)), () -> {});
                from = i;
                bytes = Integer.BYTES;
            }
            bytes += size;
        }
        if (from < drained.size()) {
            outbox.send(encode(drained.subList(from, drained.size())), () -> {});
        }
    }

    /** An upper bound of an entry's encoded size: modified UTF-8 takes at most 3 bytes a char. */
    private static int size(Entry e) {
        return 2 * Short.BYTES + 3 * (e.listener().length() + e.client().length()) + Long.BYTES;
    }

    private static byte[] encode(List<Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(entries.size());
            for (Entry e : entries) {
                out.writeUTF(e.listener());
                out.writeUTF(e.client());
                out.writeLong(e.requests());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    @Override
    public boolean apply(String origin, boolean local, long sentAt, byte[] payload) {
        List<Entry> entries = decode(payload);
        if (entries == null) {
            return false;
        }
        if (!local && clock.millis() - sentAt <= MAX_AGE_MILLIS) {
            entries.forEach(e -> usage.absorbRemote(e.listener(), e.client(), e.requests()));
        }
        return true;
    }

    /** The entries, or null when the payload is malformed: cut short, trailing bytes, or a count not positive. */
    private static List<Entry> decode(byte[] payload) {
        if (payload.length < Integer.BYTES) {
            return null;
        }
        int count = ByteBuffer.wrap(payload).getInt();
        if (count < 0 || count > payload.length) {
            return null;
        }
        List<Entry> entries = new ArrayList<>(count);
        ByteArrayInputStream bytes = new ByteArrayInputStream(payload, Integer.BYTES, payload.length - Integer.BYTES);
        try (DataInputStream in = new DataInputStream(bytes)) {
            for (int i = 0; i < count; i++) {
                Entry e = new Entry(in.readUTF(), in.readUTF(), in.readLong());
                if (e.requests() <= 0) {
                    return null;
                }
                entries.add(e);
            }
        } catch (IOException e) {
            return null;
        }
        return bytes.available() == 0 ? entries : null;
    }

    @Override
    public void writeSnapshot(DataOutputStream out) {
        // nothing: usage is only worth its freshness
    }

    @Override
    public void restore(DataInputStream in) {
        // nothing to restore, see writeSnapshot
    }
}
