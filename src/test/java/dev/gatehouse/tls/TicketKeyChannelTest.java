package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two members' ticket-key channels, with the log played by hand: what each proposes, and what both then use. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TicketKeyChannelTest {

    private static final long HOUR = 3_600_000;

    private final long[] now = {1_000 * HOUR};
    private final boolean[] serving = {true};
    private final List<List<byte[]>> toldLb1 = new ArrayList<>();
    private final List<List<byte[]>> toldLb2 = new ArrayList<>();
    private final TicketKeyChannel lb1 = new TicketKeyChannel(() -> serving[0], toldLb1::add, () -> now[0]);
    private final TicketKeyChannel lb2 = new TicketKeyChannel(() -> true, toldLb2::add, () -> now[0]);

    @Test
    void aKeyIsProposedWhenThereIsNoneThenOnlyEveryRotation() {
        byte[] first = proposed(lb1).getFirst();
        commit(first);
        assertThat(toldLb1.getLast()).hasSize(1);
        assertThat(toldLb2.getLast().getFirst()).as("both use the committed key").isEqualTo(toldLb1.getLast().getFirst());

        now[0] += TicketKeys.ROTATION.toMillis() - 1;
        assertThat(proposed(lb1)).isEmpty();
        assertThat(proposed(lb2)).isEmpty();

        now[0] += 1;
        byte[] second = proposed(lb2).getFirst();
        commit(second);
        assertThat(toldLb1.getLast()).as("the new key encrypts, the previous one still decrypts")
                .containsExactly(key(second), key(first));
        assertThat(proposed(lb1)).as("the rotation is done").isEmpty();
    }

    @Test
    void keysTwoRotationsOlderThanTheNewestAreDroppedAndTheLastCommittedEncrypts() {
        byte[] k0 = proposed(lb1).getFirst();
        commit(k0);
        now[0] += TicketKeys.ROTATION.toMillis();
        byte[] k1a = proposed(lb1).getFirst();
        byte[] k1b = proposed(lb2).getFirst(); // both rotate at once: both commit
        commit(k1a);
        commit(k1b);
        assertThat(toldLb2.getLast()).containsExactly(key(k1b), key(k1a), key(k0));

        now[0] += TicketKeys.ROTATION.toMillis();
        byte[] k2 = proposed(lb1).getFirst();
        commit(k2);
        assertThat(toldLb1.getLast()).as("k0 was made two rotations before k2").containsExactly(key(k2), key(k1b), key(k1a));
        assertThat(toldLb2.getLast()).containsExactly(key(k2), key(k1b), key(k1a));
    }

    @Test
    void onlyANodeServingTlsProposesAndAnUnansweredProposalIsMadeAgainAfterAWhile() {
        serving[0] = false;
        assertThat(proposed(lb1)).isEmpty();
        serving[0] = true;
        assertThat(proposed(lb1)).hasSize(1);
        assertThat(proposed(lb1)).as("one proposal at a time").isEmpty();
        now[0] += TicketKeyChannel.RETRY_MILLIS;
        assertThat(proposed(lb1)).hasSize(1);
    }

    @Test
    void aMalformedPayloadIsRefusedAndChangesNothing() {
        byte[] good = proposed(lb1).getFirst();
        assertThat(lb2.apply("lb1", false, now[0], Arrays.copyOf(good, good.length - 1))).isFalse();
        assertThat(lb2.apply("lb1", false, now[0], Arrays.copyOf(good, good.length + 1))).isFalse();
        assertThat(toldLb2).isEmpty();
    }

    @Test
    void aSnapshotCarriesTheKeysInTheirOrder() throws IOException {
        byte[] k0 = proposed(lb1).getFirst();
        commit(k0);
        now[0] += TicketKeys.ROTATION.toMillis();
        byte[] k1 = proposed(lb1).getFirst();
        commit(k1);

        ByteArrayOutputStream written = new ByteArrayOutputStream();
        lb1.writeSnapshot(new DataOutputStream(written));
        List<List<byte[]>> told = new ArrayList<>();
        TicketKeyChannel restarted = new TicketKeyChannel(() -> true, told::add, () -> now[0]);
        restarted.restore(new DataInputStream(new ByteArrayInputStream(written.toByteArray())));

        assertThat(told.getLast()).containsExactly(key(k1), key(k0));
        assertThat(proposed(restarted)).as("its keys are current").isEmpty();
    }

    private List<byte[]> proposed(TicketKeyChannel channel) {
        List<byte[]> sent = new ArrayList<>();
        channel.collect((payload, onFailed) -> sent.add(payload));
        return sent;
    }

    /** The log commits {@code payload}: every member applies it. */
    private void commit(byte[] payload) {
        assertThat(lb1.apply("lb1", true, now[0], payload)).isTrue();
        assertThat(lb2.apply("lb1", false, now[0], payload)).isTrue();
    }

    private static byte[] key(byte[] payload) {
        return Arrays.copyOfRange(payload, Long.BYTES, payload.length);
    }
}
