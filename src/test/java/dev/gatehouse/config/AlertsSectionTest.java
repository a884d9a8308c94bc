package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.AlertsConfig.Format;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code alerts:}: webhooks read with their defaults, and every mistake reported at its line and key path. */
class AlertsSectionTest {

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(fixture.dir().resolve("hook.key"), "webhook secret\n");
    }

    @Test
    void webhooksAreReadWithTheirDefaults() {
        ConfigResult result = fixture.parse("""
                node: { id: lb1 }
                alerts:
                  webhooks:
                    - { url: "https://hooks.example.com/gatehouse", secret_file: hook.key, events: [failover, member_down] }
                    - { url: "http://127.0.0.1:9093/", format: alertmanager, timeout: 2s }
                """);
        assertThat(result.errors()).isEmpty();
        AlertsConfig alerts = result.config().alerts();
        assertThat(alerts.webhooks()).hasSize(2);
        AlertsConfig.Webhook json = alerts.webhooks().get(0);
        assertThat(json.format()).isEqualTo(Format.JSON);
        assertThat(json.url()).isEqualTo(URI.create("https://hooks.example.com/gatehouse"));
        assertThat(json.events()).containsExactly(EventKind.FAILOVER, EventKind.MEMBER_DOWN);
        assertThat(json.timeout()).isEqualTo(AlertsConfig.DEFAULT_TIMEOUT);
        assertThat(json.secretFile()).isEqualTo(fixture.dir().resolve("hook.key"));
        AlertsConfig.Webhook am = alerts.webhooks().get(1);
        assertThat(am.url()).isEqualTo(URI.create("http://127.0.0.1:9093/api/v2/alerts"));
        assertThat(am.events()).isEqualTo(EnumSet.allOf(EventKind.class));
        assertThat(am.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(am.secretFile()).isNull();
    }

    @Test
    void everyMistakeIsNamedAtItsLine() {
        assertThat(fixture.errors("""
                node: { id: lb1 }
                alerts:
                  webhooks:
                    - url: "ftp://example.com/x"
                      format: slack
                      events: [failover, member_dwon, failover]
                      timeout: 5m
                      secret_file: missing.key
                    - { url: "http://user:pw@example.com/" }
                    - { events: [] , color: red }
                """)).containsExactly(
                "gh.yaml:4 alerts.webhooks[0].url: must be an http:// or https:// URL, got 'ftp://example.com/x'",
                "gh.yaml:5 alerts.webhooks[0].format: must be one of json | alertmanager, got 'slack'",
                "gh.yaml:6 alerts.webhooks[0].events[1]: must be one of failover | lease_lost | split_suspected | member_down"
                        + " | member_up | config_refused | config_rolled_back | canary | endpoint_down | endpoint_ejected"
                        + " | endpoint_up | pool_panic | pool_recovered, got 'member_dwon' (did you mean member_down?)",
                "gh.yaml:6 alerts.webhooks[0].events[2]: duplicate event failover (first at line 6)",
                "gh.yaml:7 alerts.webhooks[0].timeout: must be at most 1m, got 5m",
                "gh.yaml:8 alerts.webhooks[0].secret_file: cannot read " + fixture.dir().resolve("missing.key")
                        + " (a relative path is resolved from the config file's directory)",
                "gh.yaml:9 alerts.webhooks[1].url: must not carry credentials (secrets live in files): example.com",
                "gh.yaml:10 alerts.webhooks[2].color: unknown key",
                "gh.yaml:10 alerts.webhooks[2].url: is required",
                "gh.yaml:10 alerts.webhooks[2].events: must list at least one event");
    }

    @Test
    void anEmptyAlertsSectionNeedsWebhooks() {
        assertThat(fixture.errors("""
                node: { id: lb1 }
                alerts: { }
                """)).containsExactly("gh.yaml:2 alerts.webhooks: is required");
    }
}
