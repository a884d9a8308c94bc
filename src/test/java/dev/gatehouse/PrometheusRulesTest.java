package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
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
        List<String> command = new ArrayList<>(List.of(Tools.require("promtool", "prometheus").toString()));
        command.addAll(List.of(args));
        Tools.Output out = Tools.run(command, RULES, null);
        assertThat(out.exit()).as(out.text()).isZero();
        return out.text();
    }
}
