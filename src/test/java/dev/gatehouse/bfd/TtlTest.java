package dev.gatehouse.bfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.Tools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 5881 §5: packets leave with TTL 255 (Java cannot read a received TTL, so a Python receiver reads it with
 * IP_RECVTTL and prints it with the source port), and only packets that arrive with 255 are looked at.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TtlTest {

    private static final String RECEIVER = """
            import socket, struct
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL
            s.bind(('127.0.88.6', 3784))
            print('ready', flush=True)
            data, anc, flags, addr = s.recvmsg(64, 64)
            ttl = [struct.unpack('i', d)[0] for (level, kind, d) in anc if kind == 2]  # IP_TTL
            print('ttl', ttl[0], 'port', addr[1], 'bytes', len(data), flush=True)
            """;

    /** Sends the same malformed packet (version 0) with TTL 64 and 255 to port 3784; only 255 may be looked at. */
    private static final String SENDER = """
            import socket, sys
            for ttl in (64, 64, 255):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
                s.sendto(bytes(24), ('127.0.88.5', 3784))
            """;

    @Test
    void receivesOnlyPacketsThatCameWithTtl255() throws IOException, InterruptedException {
        Tools.require("python3", "python3");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Bfd bfd = Bfd.start(registry)) {
            bfd.open(SessionParameters.builder().local(InetAddress.getByName("127.0.88.5"))
                    .peer(InetAddress.getByName("127.0.88.6")).build(), (s, c) -> {});
            Process python = new ProcessBuilder("python3", "-c", SENDER).redirectErrorStream(true).start();
            assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(python.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> registry.get("gatehouse.bfd.packets.dropped")
                    .tag("reason", "bad_version").counter().count() >= 1);
            // the two TTL 64 packets were sent first on the same path: the kernel dropped them
            assertThat(registry.get("gatehouse.bfd.packets.dropped").tag("reason", "bad_version").counter().count())
                    .isEqualTo(1);
        }
    }

    @Test
    void sendsWithTtl255FromASourcePortAbove49151() throws IOException, InterruptedException {
        Tools.require("python3", "python3");
        Process python = new ProcessBuilder("python3", "-c", RECEIVER).redirectErrorStream(true).start();
        try (Bfd bfd = Bfd.start(new SimpleMeterRegistry());
                BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(),
                        StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            BfdSession session = bfd.open(SessionParameters.builder().local(InetAddress.getByName("127.0.88.5"))
                    .peer(InetAddress.getByName("127.0.88.6")).interval(Duration.ofMillis(100)).build(), (s, c) -> {});
            session.start();
            String[] line = out.readLine().split(" ");

            assertThat(line[0]).isEqualTo("ttl");
            assertThat(Integer.parseInt(line[1])).isEqualTo(255);
            assertThat(Integer.parseInt(line[3])).isBetween(49152, 65535);
            assertThat(Integer.parseInt(line[5])).isEqualTo(24);
        } finally {
            python.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
