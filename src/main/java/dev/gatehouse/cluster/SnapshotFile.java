package dev.gatehouse.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.cluster.channel.ReplicatedChannel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine's snapshot file: a magic number, the replicated state as JSON, then a section per
 * {@link ReplicatedChannel}: its name, its length, and what the channel wrote. Sections are streamed from the
 * channels (a stick table of a million entries is 23 MiB) and the length is written after, in place.
 */
final class SnapshotFile {

    /** "GHS1". */
    private static final int MAGIC = 0x47485331;
    private static final int BUFFER = 1 << 16;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFile.class);

    /** What a snapshot holds: the state's JSON and each channel's section, by channel name. */
    record Contents(byte[] state, Map<String, byte[]> sections) {}

    private SnapshotFile() {}

    static void write(Path file, byte[] state, Collection<ReplicatedChannel> channels) throws IOException {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(fc), BUFFER));
            out.writeInt(MAGIC);
            out.writeInt(state.length);
            out.write(state);
            out.writeInt(channels.size());
            for (ReplicatedChannel channel : channels) {
                out.writeUTF(channel.name());
                out.flush();
                long lengthAt = fc.position();
                out.writeLong(0);
                channel.writeSnapshot(out);
                out.flush();
                long length = fc.position() - lengthAt - Long.BYTES;
                fc.write(ByteBuffer.allocate(Long.BYTES).putLong(0, length), lengthAt);
            }
            out.flush();
        }
    }

    /** The file's contents; an IOException when it is not a snapshot of this format or is cut short. */
    static Contents read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER))) {
            in.mark(1);
            if (in.read() == '{') {
                return earlier(file);
            }
            in.reset();
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a snapshot of this version");
            }
            byte[] state = section(in, in.readInt());
            int count = in.readInt();
            Map<String, byte[]> sections = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                sections.put(name, section(in, in.readLong()));
            }
            return new Contents(state, sections);
        }
    }

    /**
     * A snapshot written before channels is the state's JSON with the stick entries in its field "stick": its state
     * is read, its stick entries are not (clients stick again as they come back).
     */
    private static Contents earlier(Path file) throws IOException {
        JsonNode tree = JSON.readTree(file.toFile());
        if (tree instanceof ObjectNode o && o.remove("stick") != null) {
            LOG.warn("snapshot {} predates replicated channels: its stick entries are not carried over", file);
        }
        return new Contents(JSON.writeValueAsBytes(tree), Map.of());
    }

    /**
     * Deletes the snapshot files in {@code dir} but the newest {@code kept}. Ratis keeps every snapshot unless each has
     * an MD5 file, whose digest would lengthen the stall of the thread that writes it (a stick section runs to tens
     * of MiB); without this a busy table filled the disk, one snapshot every 4,096 entries.
     */
    static void keepNewest(Path dir, int kept) throws IOException {
        List<Path> snapshots;
        try (Stream<Path> files = Files.list(dir)) {
            snapshots = files.filter(f -> SimpleStateMachineStorage.SNAPSHOT_REGEX.matcher(f.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path f) -> SimpleStateMachineStorage.getTermIndexFromSnapshotFile(f.toFile()))
                            .reversed())
                    .toList();
        }
        for (Path old : snapshots.subList(Math.min(kept, snapshots.size()), snapshots.size())) {
            Files.deleteIfExists(old);
        }
    }

    private static byte[] section(DataInputStream in, long length) throws IOException {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IOException("a snapshot section of " + length + " bytes");
        }
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length != length) {
            throw new IOException("the snapshot is cut short");
        }
        return bytes;
    }
}
