package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** deploy/prometheus/rules.yaml is valid and its alerts fire as rules.test.yaml says, by promtool itself. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrometheusRulesTest {

    private static final Path RULES = Path.of("deploy/prometheus");

    @Test
    void theRulesAreValid() throws Exception {
        String out = promtool("check", "rules", "rules.yaml");
        assertThat(out).contains("SUCCESS: 9 rules found");
    }

    @Test
    void everyAlertFiresWhenItsTestSaysAndNotBefore() throws Exception {
        assertThat(promtool("test", "rules", "rules.test.yaml")).contains("SUCCESS");
    }

    private static String promtool(String... args) throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(RULES.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
