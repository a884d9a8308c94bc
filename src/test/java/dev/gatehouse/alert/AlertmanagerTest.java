package dev.gatehouse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.admin.Events;
import dev.gatehouse.config.AlertsConfig;
import dev.gatehouse.config.AlertsConfig.Format;
import dev.gatehouse.config.AlertsConfig.Webhook;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.time.WallClock;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The alertmanager format against a real Alertmanager: alerts open, stay, and resolve when their condition ends. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AlertmanagerTest {

    @TempDir
    Path dir;

    static boolean named(JsonNode alert, String alertname, String subject) {
        return alert.path("labels").path("alertname").asText().equals(alertname)
                && alert.path("labels").path("subject").asText().equals(subject);
    }

    @Test
    void aMemberDownAlertFiresAndTheMemberUpResolvesIt() throws Exception {
        Events events = new Events();
        try (Alertmanager am = Alertmanager.start(dir);
                Alerts alerts = new Alerts(events, new Origin("lb1", "edge"), new Metrics(), WallClock.system(), Duration.ofMillis(200))) {
            alerts.configure(new AlertsConfig(List.of(new Webhook(URI.create(am.url() + "/api/v2/alerts"), Format.ALERTMANAGER,
                    EnumSet.of(EventKind.MEMBER_DOWN, EventKind.CANARY), Duration.ofSeconds(2), null))));
            events.publish(EventKind.MEMBER_DOWN, "lb2", "lb2 is not heard from");
            events.publish(EventKind.CANARY, "version 4", "canary on lb2 promoted: no errors");

            await().atMost(Duration.ofSeconds(20)).until(() -> am.alerts().stream().anyMatch(a -> named(a, "GatehouseMemberDown", "lb2")));
            JsonNode down = am.alerts().stream().filter(a -> named(a, "GatehouseMemberDown", "lb2")).findFirst().orElseThrow();
            assertThat(down.path("labels").path("node").asText()).isEqualTo("lb1");
            assertThat(down.path("labels").path("cluster").asText()).isEqualTo("edge");
            assertThat(down.path("labels").path("severity").asText()).isEqualTo("critical");
            assertThat(down.path("annotations").path("description").asText()).isEqualTo("lb2 is not heard from");
            assertThat(down.path("status").path("state").asText()).isEqualTo("active");
            // still firing: its end is the refresh horizon ahead, not the past
            assertThat(Instant.parse(down.path("endsAt").asText())).isAfter(Instant.now().plusSeconds(60));
            await().atMost(Duration.ofSeconds(20)).until(() -> am.alerts().stream().anyMatch(a -> named(a, "GatehouseCanary", "version 4")));

            events.publish(EventKind.MEMBER_UP, "lb2", "lb2 is heard from again");
            await().atMost(Duration.ofSeconds(20)).until(() -> am.alerts().stream().noneMatch(a -> named(a, "GatehouseMemberDown", "lb2")));
            assertThat(am.alerts()).anyMatch(a -> named(a, "GatehouseCanary", "version 4"));
        }
    }
}
