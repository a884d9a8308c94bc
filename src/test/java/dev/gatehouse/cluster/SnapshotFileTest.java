package dev.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.cluster.channel.ReplicatedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SnapshotFileTest {

    @TempDir
    Path dir;

    @Test
    void aSnapshotFileCarriesTheStateAndEachChannelsSection() throws Exception {
        Path file = dir.resolve("snapshot.1_1");
        ReplicatedChannel big = new TestChannel("big", new byte[300_000]);
        ReplicatedChannel none = new TestChannel("none", new byte[0]);
        SnapshotFile.write(file, "{\"vips\":{}}".getBytes(StandardCharsets.UTF_8), List.of(big, none));

        SnapshotFile.Contents read = SnapshotFile.read(file);
        assertThat(new String(read.state(), StandardCharsets.UTF_8)).isEqualTo("{\"vips\":{}}");
        assertThat(read.sections()).containsOnlyKeys("big", "none");
        assertThat(read.sections().get("big")).hasSize(300_000);
        assertThat(read.sections().get("none")).isEmpty();

        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 100)); // into the big section
        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(IOException.class).hasMessageContaining("cut short");
    }

    @Test
    void aSnapshotFromBeforeChannelsKeepsItsStateAndDropsItsStickEntries() throws Exception {
        Path file = dir.resolve("snapshot.1_1");
        Files.writeString(file, "{\"vips\":{},\"stick\":{\"web\":[1,2,3]}}");

        SnapshotFile.Contents read = SnapshotFile.read(file);
        assertThat(new String(read.state(), StandardCharsets.UTF_8)).isEqualTo("{\"vips\":{}}");
        assertThat(read.sections()).isEmpty();
    }

    @Test
    void onlyTheNewestTwoSnapshotsAreKept() throws IOException {
        for (String name : List.of("snapshot.1_5", "snapshot.1_100", "snapshot.2_7", "snapshot.2_10", "log_0-99")) {
            Files.writeString(dir.resolve(name), name);
        }
        SnapshotFile.keepNewest(dir, ClusterStateMachine.SNAPSHOTS_KEPT);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(f -> f.getFileName().toString()))
                    .as("the newest by term, then index; other files untouched")
                    .containsExactlyInAnyOrder("snapshot.2_10", "snapshot.2_7", "log_0-99");
        }
    }
}
