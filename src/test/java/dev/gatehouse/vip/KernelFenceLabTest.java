package dev.gatehouse.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.lab.Lab;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fence's nftables commands in a real kernel (the lab's lb1 namespace): the kernel closes the fence by itself
 * when no re-arm comes within its timeout, and a re-arm that comes after that cannot open it again; only a reopen
 * can. Skipped unless root.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KernelFenceLabTest {

    private static final String ADDRESS = Lab.VIP;
    private static final KernelFence FENCE = new KernelFence(Duration.ofSeconds(1));

    @Test
    void aReArmAfterTheTimeoutRanOutLeavesTheFenceClosedAndOnlyAReopenOpensIt() {
        Lab.assumeAvailable();
        try (Lab lab = Lab.up()) {
            nft(lab, FENCE.hold(ADDRESS, true));
            assertThat(open(lab)).containsExactly(true, true);
            nft(lab, FENCE.renew(ADDRESS, true, false)); // in time: re-armed
            assertThat(open(lab)).containsExactly(true, true);

            await().atMost(Duration.ofSeconds(5)).until(() -> open(lab).equals(List.of(false, false)));
            // as a re-arm frozen with the node and thawed after the takeover would run it
            assertThatThrownBy(() -> nft(lab, FENCE.renew(ADDRESS, true, false))).hasMessageContaining("exited");
            assertThat(open(lab)).as("ARP answering, IP serving").containsExactly(false, false);
            assertThatThrownBy(() -> nft(lab, FENCE.renew(ADDRESS, false, false))).hasMessageContaining("exited");
            assertThat(open(lab)).containsExactly(false, false);

            nft(lab, FENCE.renew(ADDRESS, true, true));
            assertThat(open(lab)).containsExactly(true, true);
            nft(lab, FENCE.uninstall());
        }
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
