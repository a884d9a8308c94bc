package dev.gatehouse.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.lab.LabProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ExitResetTest {

    @Test
    void aFilterNamesEachLocalEndOnceInSsSyntax() throws Exception {
        assertThat(ExitReset.source(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 41234)))
                .isEqualTo("src 192.0.2.1:41234");
        assertThat(ExitReset.source(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 179)))
                .isEqualTo("src [2001:db8:0:0:0:0:0:1]:179");
        assertThat(ExitReset.filter(List.of("src 192.0.2.1:1", "src 192.0.2.1:2")))
                .isEqualTo("( src 192.0.2.1:1 or src 192.0.2.1:2 )");
        assertThat(ExitReset.filter(List.of())).isEmpty();
    }

    /**
     * kill -9 of a JVM with 1.5 GiB of heap in use: its guard resets the tracked connection within milliseconds,
     * while the untracked one closes only when the kernel has freed the heap.
     */
    @Test
    @Timeout(60)
    void aKilledJvmsTrackedConnectionIsResetBeforeItsMemoryIsGone() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "ss -K needs CAP_NET_ADMIN; skipped");
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
                LabProcess jvm = new LabProcess("exit-reset", new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"), "-Xmx3g", "-XX:+UseSerialGC",
                        "-cp", System.getProperty("java.class.path"), ExitResetMain.class.getName(),
                        String.valueOf(server.getLocalPort()), "1500").redirectErrorStream(true).start())) {
            jvm.awaitLine(l -> l.startsWith("ready"), Duration.ofSeconds(40)); // both connections in the backlog
            Socket first = server.accept();
            Socket second = server.accept();
            boolean firstTracked = first.getInputStream().read() == 'T';
            assertThat((firstTracked ? second : first).getInputStream().read()).isEqualTo('U');
            CompletableFuture<String> tracked = ended(firstTracked ? first : second);
            CompletableFuture<String> untracked = ended(firstTracked ? second : first);
            long killed = System.nanoTime();
            jvm.kill9();
            String reset = tracked.get();
            long resetMs = (System.nanoTime() - killed) / 1_000_000;
            String closed = untracked.get();
            long closedMs = (System.nanoTime() - killed) / 1_000_000;
            System.out.println("exit reset: kill -9 of a JVM with 1.5 GiB in use: tracked connection " + reset
                    + " after " + resetMs + " ms, untracked " + closed + " after " + closedMs + " ms");
            assertThat(reset).isEqualTo("reset");
            assertThat(resetMs).isLessThanOrEqualTo(60);
            assertThat(closedMs).isGreaterThan(resetMs);
        }
    }

    /** How the peer's end of {@code socket} ends: "reset" or "closed" (end of stream). */
    private static CompletableFuture<String> ended(Socket socket) {
        return CompletableFuture.supplyAsync(() -> {
            try (socket; InputStream in = socket.getInputStream()) {
                return in.read() < 0 ? "closed" : "data";
            } catch (IOException e) {
                return String.valueOf(e.getMessage()).contains("reset") ? "reset" : e.toString();
            }
        }, r -> Thread.ofVirtual().start(r));
    }
}
