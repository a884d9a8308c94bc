package dev.gatehouse.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.lab.Lab;
import dev.gatehouse.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fence's nftables commands in a real kernel (the lab's lb1 namespace): ARP is re-armed only through the gate a
 * re-arm was made for, which the kernel closes by itself, so a re-arm that runs late answers ARP no later than its
 * lease allows, and one that runs after its gate ended (or was superseded) changes nothing. Skipped unless root.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KernelFenceLabTest {

    private static final String ADDRESS = Lab.VIP;
    private static final Duration LEASE = Duration.ofMillis(600);
    private static final Pattern EXPIRES = Pattern.compile("expires (?:(\\d+)s)?(?:(\\d+)ms)?");

    @Test
    void aReArmGoesOnlyThroughTheGateItWasMadeForAndOnlyWhileItIsOpen() {
        Lab.assumeAvailable();
        KernelFence fence = new KernelFence(Duration.ofSeconds(1), Duration.ofMillis(300));
        try (Lab lab = Lab.up()) {
            nft(lab, fence.install());
            nft(lab, fence.openGate(ADDRESS, 1));
            assertThat(open(lab)).as("ARP answering, IP serving").containsExactly(false, false);
            nft(lab, fence.answer(ADDRESS, 1, 2, Duration.ofSeconds(1)));
            assertThat(open(lab)).containsExactly(true, true);
            nft(lab, fence.openGate(ADDRESS, 3)); // a newer gate opens no older one
            assertThatThrownBy(() -> nft(lab, fence.answer(ADDRESS, 1, 4, Duration.ofSeconds(1))))
                    .hasMessageContaining("exited");

            await().atMost(Duration.ofSeconds(5)).until(() -> !lab.exec("lb1", "nft", "list", "set", "arp",
                    KernelFence.TABLE, "gate").contains(ADDRESS));
            nft(lab, fence.quiet(ADDRESS, 3)); // a handover: ARP stops, IP goes on
            // as a re-arm frozen with the node and thawed after the takeover would run it
            assertThatThrownBy(() -> nft(lab, fence.answer(ADDRESS, 2, 4, Duration.ofSeconds(1))))
                    .hasMessageContaining("exited");
            assertThat(open(lab)).containsExactly(false, true);

            nft(lab, fence.openGate(ADDRESS, 5));
            nft(lab, fence.answer(ADDRESS, 5, 6, Duration.ofSeconds(1)));
            assertThat(open(lab)).containsExactly(true, true);
        }
    }

    @Test
    void arpIsAnsweredNoLaterThanTheLeaseAllowsHoweverLateItsReArmRuns() {
        Lab.assumeAvailable();
        Ticker ticker = Ticker.system();
        try (Lab lab = Lab.up()) {
            LateCommands commands = new LateCommands(lab);
            KernelFence fence = KernelFence.forLease(LEASE);
            nft(lab, fence.install());
            HeldFence held = new HeldFence(fence, commands, ticker);
            held.hold(ADDRESS, held.answerUntil(ticker.nanos() + LEASE.toNanos(), 0)).join();
            held.rearm(ADDRESS, true, held.answerUntil(ticker.nanos() + LEASE.toNanos(), 0), () -> true).join();

            // the next renewal at once, whose nft starts 150 ms late (frozen after it was started, say): within its 300 ms
            // gate, if its start takes less than 150 ms
            commands.delayNext = Duration.ofMillis(150);
            long renewed = held.answerUntil(ticker.nanos() + LEASE.toNanos(), 0);
            held.rearm(ADDRESS, true, renewed, () -> true).join();
            assertThat(commands.ran()).containsExactly("gate ok", "answer ok", "answer ok", "answer ok");
            long answered = answeredUntil(lab, ticker);
            System.out.printf("late re-arm: ARP answered until %d ms before the deadline at the latest%n",
                    (renewed - answered) / 1_000_000);
            // a timeout re-armed in full (500 ms) when the command ran would end 50 ms and its start after the deadline
            assertThat(answered).as("ARP's end").isLessThanOrEqualTo(renewed);

            // the next one runs 400 ms late, past its gate's end: it changes nothing, and what is left of its lease
            // after the gate opened instead is too little to answer ARP for: it is left as it was
            commands.delayNext = Duration.ofMillis(400);
            held.rearm(ADDRESS, true, held.answerUntil(ticker.nanos() + LEASE.toNanos(), 0), () -> true).join();
            assertThat(commands.ran()).endsWith("answer failed", "gate ok", "answer ok"); // the last one without ARP
            if (open(lab).getFirst()) { // still answering: no later than before
                assertThat(answeredUntil(lab, ticker)).isLessThanOrEqualTo(answered);
            }
        }
    }

    /** Runs commands in lb1; the next one, when asked, only after a pause, as an nft frozen with its node would. */
    private static final class LateCommands implements CommandRunner {
        final Lab lab;
        final List<String> ran = new ArrayList<>();
        volatile Duration delayNext = Duration.ZERO;

        LateCommands(Lab lab) {
            this.lab = lab;
        }

        @Override
        public synchronized CompletableFuture<Result> start(List<String> command) {
            String pause = String.format("%.3f", delayNext.toNanos() / 1e9);
            delayNext = Duration.ZERO;
            Result result;
            try {
                lab.exec("lb1", "sh", "-c", "sleep " + pause + "; exec \"$@\"", "sh", command.get(0), command.get(1));
                result = new Result(command, 0, "");
            } catch (RuntimeException e) {
                result = new Result(command, 1, e.getMessage());
            }
            String kind = command.get(1).startsWith("delete element arp gatehouse gate") ? "answer" : "gate";
            ran.add(kind + (result.ok() ? " ok" : " failed"));
            return CompletableFuture.completedFuture(result);
        }

        /** The commands run so far: gate (opened) or answer (through a gate), and whether each succeeded. */
        synchronized List<String> ran() {
            return List.copyOf(ran);
        }

        @Override
        public Watchdog watch(List<String> onSilence, Duration silence) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * The latest the kernel answers ARP for the address until (ticker nanos): its {@code answering} element's time
     * left, counted from when its listing was read back (later than the kernel wrote it).
     */
    private static long answeredUntil(Lab lab, Ticker ticker) {
        String set = lab.exec("lb1", "nft", "list", "set", "arp", KernelFence.TABLE, "answering");
        long readBack = ticker.nanos();
        Matcher m = EXPIRES.matcher(set);
        assertThat(m.find()).as(set).isTrue();
        long millis = (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 1000)
                + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
        return readBack + millis * 1_000_000;
    }

    private static void nft(Lab lab, List<String> command) {
        lab.exec("lb1", command.toArray(String[]::new));
    }

    /** Whether the address is in the {@code answering} and the {@code serving} set now. */
    private static List<Boolean> open(Lab lab) {
        return List.of(lab.exec("lb1", "nft", "list", "set", "arp", KernelFence.TABLE, "answering").contains(ADDRESS),
                lab.exec("lb1", "nft", "list", "set", "ip", KernelFence.TABLE, "serving").contains(ADDRESS));
    }
}
