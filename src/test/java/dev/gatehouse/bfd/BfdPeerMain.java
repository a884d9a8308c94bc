package dev.gatehouse.bfd;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Gatehouse's side of an interop test, in its own JVM (so a test can freeze it with SIGSTOP, as a GC pause or a
 * stuck process would): one session, every change printed as {@code change FROM TO DIAGNOSTIC NANOS}. Reads
 * commands on stdin: {@code admin-down}, {@code enable}, {@code close}, {@code load SECONDS} (every CPU busy in
 * this JVM, allocating, for that long: bounded); exits at end of input.
 *
 * <p>Arguments: local address, peer address, interval in ms, multiplier.
 */
public final class BfdPeerMain {

    private BfdPeerMain() {}

    public static void main(String[] args) throws IOException {
        SessionParameters parameters = SessionParameters.builder().local(InetAddress.getByName(args[0]))
                .peer(InetAddress.getByName(args[1])).interval(Duration.ofMillis(Long.parseLong(args[2])))
                .detectMultiplier(Integer.parseInt(args[3])).build();
        try (Bfd bfd = Bfd.start(new SimpleMeterRegistry())) {
            BfdSession session = bfd.open(parameters, (s, change) -> System.out.println("change " + change.from()
                    + " " + change.to() + " " + change.diagnostic() + " " + change.atNanos()));
            session.start();
            System.out.println("started " + Integer.toUnsignedString(session.localDiscriminator()));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] words = line.strip().split(" ");
                switch (words[0]) {
                    case "load" -> load(Duration.ofSeconds(Long.parseLong(words[1])));
                    case "admin-down" -> session.adminDown();
                    case "enable" -> session.enable();
                    case "close" -> session.close();
                    default -> System.out.println("unknown command " + line);
                }
            }
        }
    }

    /** Two busy threads per processor, each allocating as it spins (young collections), until {@code span} is up. */
    private static void load(Duration span) {
        long end = System.nanoTime() + span.toNanos();
        int threads = 2 * Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < threads; i++) {
            Thread.ofPlatform().daemon().name("load-" + i).start(() -> {
                long sink = 0;
                while (System.nanoTime() - end < 0) {
                    byte[] garbage = new byte[256];
                    sink += garbage.length + garbage.hashCode();
                }
                System.out.println("load done " + (sink & 1));
            });
        }
        System.out.println("load started " + threads + " threads");
    }
}
