package dev.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Tools;
import dev.gatehouse.admin.Events;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium, against a real two-node cluster with a witness: the page draws the
 * owner's traffic (requests/s, 5xx/s, p99 per listener) and its endpoints' states from the node's own history, and a
 * failover shows on its timeline, with its reason, within 2 s of the event. Leaves target/dashboard.png.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DashboardGraphsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the page drew, read from the DOM the way a person would see it: lines, their points, strips, the failover list. */
    private static final String DRAWN = """
            JSON.stringify({
              drawnAt: +(document.body.dataset.drawnAt ?? 0),
              rpsMax: +(document.querySelector('#chart-rps').dataset.max ?? 0),
              errorsMax: +(document.querySelector('#chart-5xx').dataset.max ?? 0),
              webPoints: +(document.querySelector('#chart-rps path[data-listener="web"]')?.dataset.points ?? 0),
              webP99Points: +(document.querySelector('#chart-p99 path[data-listener="web"]')?.dataset.points ?? 0),
              apiErrorPoints: +(document.querySelector('#chart-5xx path[data-listener="api"]')?.dataset.points ?? 0),
              tcpLine: document.querySelector('#chart-rps path[data-listener="db"]') != null,
              webPath: document.querySelector('#chart-rps path[data-listener="web"]')?.getAttribute('d') ?? '',
              states: [...document.querySelectorAll('#strips rect')].map(r => r.dataset.endpoint + '=' + r.dataset.state),
              failovers: [...document.querySelectorAll('#failovers li')].map(li => ({t: +li.dataset.t, text: li.textContent})),
              marks: [...document.querySelectorAll('#timeline circle')].map(c => +c.dataset.t)
            })""";

    @TempDir
    Path dir;

    private static JsonNode drawn(Chromium browser) throws Exception {
        return JSON.readTree(browser.evaluate(DRAWN).asText());
    }

    @Test
    void theDashboardDrawsLiveGraphsAndShowsAFailoverWithinTwoSeconds() throws Exception {
        Path executable = Tools.require("chromium", "chromium");
        try (MonitoredCluster cluster = MonitoredCluster.start(dir, "")) {
            Node owner = cluster.owner();
            String url = "http://127.0.0.1:" + owner.adminAddress().getPort() + "/";
            try (Chromium browser = Chromium.open(executable, dir, url)) {
                System.out.println("dashboard: chromium pid " + browser.pid() + " on " + url);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(
                        () -> browser.evaluate("location.href + ' ' + document.readyState").asText(), (url + " complete")::equals);
                // a few requests each poll, 2xx through the VIP and 5xx from the dead pool, until both lines have risen
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    cluster.traffic(10, 3);
                    JsonNode p = drawn(browser);
                    return p.path("webPoints").asInt() >= 3 && p.path("apiErrorPoints").asInt() >= 3
                            && p.path("rpsMax").asDouble() > 0 && p.path("errorsMax").asDouble() > 0
                            && p.path("webP99Points").asInt() >= 1;
                });
                JsonNode page = drawn(browser);
                assertThat(page.path("webPoints").asInt()).as("points on the web listener's requests/s line").isGreaterThanOrEqualTo(3);
                assertThat(page.path("webPath").asText()).matches("M[0-9.]+,[0-9.]+(L[0-9.]+,[0-9.]+)+.*");
                assertThat(page.path("rpsMax").asDouble()).isPositive();
                assertThat(page.path("tcpLine").asBoolean()).as("a line for the TCP listener, which has no requests").isFalse();
                assertThat(page.path("errorsMax").asDouble()).as("5xx/s drawn for the api listener").isPositive();
                assertThat(page.path("webP99Points").asInt()).isPositive();
                List<String> states = new ArrayList<>();
                page.path("states").forEach(s -> states.add(s.asText()));
                assertThat(states).anyMatch(s -> s.startsWith("web/") && s.endsWith("=healthy"))
                        .anyMatch(s -> s.startsWith("broken/") && s.endsWith("=unhealthy"));

                long asked = System.currentTimeMillis();
                owner.demote();
                Events.Event released = await().atMost(Duration.ofSeconds(10)).until(() -> owner.events().recent().stream()
                        .filter(e -> e.type().equals("failover") && e.at().toEpochMilli() >= asked).findFirst().orElse(null),
                        e -> e != null);
                long t = released.at().toEpochMilli();
                long[] seen = new long[1];
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25)).until(() -> {
                    for (JsonNode f : drawn(browser).path("failovers")) {
                        if (f.path("t").asLong() == t) {
                            seen[0] = System.currentTimeMillis();
                            return true;
                        }
                    }
                    return false;
                });
                System.out.println("dashboard: failover on the timeline " + (seen[0] - t) + " ms after the event");
                assertThat(seen[0] - t).as("ms from the failover to the timeline").isLessThanOrEqualTo(2000);

                page = drawn(browser);
                JsonNode shown = null;
                for (JsonNode f : page.path("failovers")) {
                    shown = f.path("t").asLong() == t ? f : shown;
                }
                assertThat(shown.path("text").asText()).contains("failover", "front", "released it", "demoted by operator");
                List<Long> marks = new ArrayList<>();
                page.path("marks").forEach(m -> marks.add(m.asLong()));
                assertThat(marks).as("a mark on the timeline").contains(t);

                Path png = Path.of("target", "dashboard.png");
                browser.screenshot(png);
                assertThat(Files.size(png)).isGreaterThan(10_000);
            }
        }
    }
}
