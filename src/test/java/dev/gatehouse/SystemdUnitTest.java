package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd/gatehouse.service passes {@code systemd-analyze verify} (installed with this checkout as its
 * /opt/gatehouse) and keeps what the node relies on. Without systemd-analyze (no systemd: a container) the
 * verification is skipped, in CI too: systemd is the host's, not a package a test can bring.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdUnitTest {

    private static final Path UNIT = Path.of("deploy/systemd/gatehouse.service");

    @TempDir
    Path dir;

    @Test
    void systemdAcceptsTheUnitWithoutAWord() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze not found: the unit is not verified (skipped, CI included)");
        Path installed = dir.resolve("gatehouse.service");
        Files.writeString(installed, Files.readString(UNIT).replace("/opt/gatehouse", Path.of("").toAbsolutePath().toString()));

        Tools.Output verify = Tools.run(List.of(analyze.toString(), "verify", installed.toString()), null, null);
        assertThat(verify.text()).as("systemd-analyze verify (it only warns of an unknown key)").isEmpty();
        assertThat(verify.exit()).isZero();
    }

    @Test
    void stopDrainsWithinTheTimeoutAndLeavesTheVipWatchdogToAct() throws Exception {
        String unit = Files.readString(UNIT);
        assertThat(unit).contains("\nKillMode=mixed\n", "\nExecReload=/bin/kill -HUP $MAINPID\n", "\nSuccessExitStatus=143\n",
                "\nAmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE CAP_SYS_NICE\n");
        Duration drain = Duration.ofSeconds(Long.parseLong(first(unit, "--shutdown-bound (\\d+)s")));
        Duration stopTimeout = Duration.ofSeconds(Long.parseLong(first(unit, "\nTimeoutStopSec=(\\d+)s")));
        // the JVM's drain plus its own second of grace must end before systemd's SIGKILL
        assertThat(stopTimeout).isGreaterThan(drain.plusSeconds(1));
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }
}
