package dev.gatehouse.stick;

import dev.gatehouse.cluster.channel.ReplicatedChannel;
import dev.gatehouse.config.Names;
import dev.gatehouse.time.WallClock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Replicates the stick tables: what the data path recorded goes out in batches of up to {@link #MAX_ENTRIES}, and
 * batches from every member are applied to the table of their pool. A payload is the pool's name (a short and its
 * UTF-8 bytes), the wall-clock time of the batch's oldest entry, the entry count, then (affinity key, endpoint key,
 * expiry) triples of longs. The snapshot section holds, per table, a 1, the pool's name, its live triples and a 0
 * key; a 0 ends the section.
 */
public final class StickChannel implements ReplicatedChannel {

    /** 4,096 entries of 24 bytes fill a payload with room for the header. */
    public static final int MAX_ENTRIES = 4096;
    /** Batches per table and round at most; the rest waits in the table's bounded queue. */
    private static final int BATCHES_PER_ROUND = 4;
    private static final int PURGE_EVERY_ROUNDS = 10;
    private static final int HEADER = Short.BYTES + Long.BYTES + Integer.BYTES;

    private final StickTables tables;
    private final WallClock clock;
    private long rounds;

    public StickChannel(StickTables tables, WallClock clock) {
        this.tables = tables;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "stick";
    }

    /** Proposes the queued entries of each table; a batch the cluster did not take is queued again. */
    @Override
    public void collect(Outbox outbox) {
        if (++rounds % PURGE_EVERY_ROUNDS == 0) {
            tables.all().forEach(StickTable::purgeExpired);
        }
        for (StickTable table : tables.all()) {
            for (int i = 0; i < BATCHES_PER_ROUND; i++) {
                StickTable.Batch batch = table.takePending(MAX_ENTRIES);
                if (batch == null) {
                    break;
                }
                outbox.send(encode(table.pool(), batch), () -> table.retry(batch));
            }
        }
    }

    static byte[] encode(String pool, StickTable.Batch batch) {
        byte[] name = pool.getBytes(StandardCharsets.UTF_8);
        long[] e = batch.entries();
        ByteBuffer out = ByteBuffer.allocate(HEADER + name.length + e.length * Long.BYTES);
        out.putShort((short) name.length).put(name).putLong(batch.recordedAt()).putInt(e.length / 3);
        for (long v : e) {
            out.putLong(v);
        }
        return out.array();
    }

    /** Applies a batch whole, or nothing of it when it is malformed (a bad name, count or 0 key or endpoint). */
    @Override
    public boolean apply(String origin, boolean local, long sentAt, byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        String pool;
        long recordedAt;
        long[] entries;
        try {
            byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(name);
            pool = Names.identifier(new String(name, StandardCharsets.UTF_8));
            recordedAt = in.getLong();
            int count = in.getInt();
            if (count < 0 || count > MAX_ENTRIES || in.remaining() != count * 3 * Long.BYTES) {
                return false;
            }
            entries = new long[count * 3];
            in.asLongBuffer().get(entries);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return false;
        }
        for (int i = 0; i < entries.length; i += 3) {
            if (entries[i] == 0 || entries[i + 1] == StickTable.NONE) {
                return false;
            }
        }
        StickTable table = tables.forLog(pool);
        if (table == null) {
            return true; // a pool past the most tables a member keeps (StickTables.MAX_TABLES): not kept here
        }
        for (int i = 0; i < entries.length; i += 3) {
            table.apply(entries[i], entries[i + 1], entries[i + 2]);
        }
        if (!local) {
            tables.lag(clock.millis() - recordedAt);
        }
        return true;
    }

    /** Every live entry, written as it is read from the tables. */
    @Override
    public void writeSnapshot(DataOutputStream out) throws IOException {
        try {
            for (StickTable table : tables.all()) {
                out.writeBoolean(true);
                out.writeUTF(table.pool());
                table.forEachLive((key, endpoint, expires) -> {
                    try {
                        out.writeLong(key);
                        out.writeLong(endpoint);
                        out.writeLong(expires);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                out.writeLong(0);
            }
            out.writeBoolean(false);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void restore(DataInputStream in) throws IOException {
        tables.all().forEach(StickTable::clear);
        while (in != null && in.readBoolean()) {
            StickTable table = tables.forLog(Names.identifier(in.readUTF()));
            for (long key = in.readLong(); key != 0; key = in.readLong()) {
                long endpoint = in.readLong();
                long expires = in.readLong();
                if (table != null) {
                    table.apply(key, endpoint, expires);
                }
            }
        }
    }
}
