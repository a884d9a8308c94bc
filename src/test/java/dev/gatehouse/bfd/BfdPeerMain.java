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
 * commands on stdin: {@code admin-down}, {@code enable}, {@code close}; exits at end of input.
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
                switch (line.strip()) {
                    case "admin-down" -> session.adminDown();
                    case "enable" -> session.enable();
                    case "close" -> session.close();
                    default -> System.out.println("unknown command " + line);
                }
            }
        }
    }
}
