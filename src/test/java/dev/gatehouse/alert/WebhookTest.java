package dev.gatehouse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.admin.Events;
import dev.gatehouse.config.AlertsConfig;
import dev.gatehouse.config.AlertsConfig.Format;
import dev.gatehouse.config.AlertsConfig.Webhook;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.time.WallClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Webhooks against real HTTP receivers on loopback: signed bodies, retries, and a receiver that never answers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Events events = new Events();
    private final Metrics metrics = new Metrics();

    private Alerts alerts() {
        return new Alerts(events, new Origin("lb1", "edge"), metrics, WallClock.system(), Duration.ofMillis(50));
    }

    private static Webhook json(String url, Set<EventKind> events, Duration timeout, Path secret) {
        return new Webhook(URI.create(url), Format.JSON, events, timeout, secret);
    }

    private double counter(String name, String url) {
        URI u = URI.create(url);
        var c = metrics.registry().find(name).tag("webhook", u.getScheme() + "://" + u.getAuthority() + u.getPath()).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void subscribedEventsArrivePostedAndSignedInOrder() throws Exception {
        Files.writeString(dir.resolve("hook.key"), "s3cret of the hook\n");
        try (Receiver receiver = new Receiver(n -> 204); Alerts alerts = alerts()) {
            alerts.configure(new AlertsConfig(List.of(json(receiver.url("/hook"),
                    EnumSet.of(EventKind.MEMBER_DOWN, EventKind.CANARY), Duration.ofSeconds(2), dir.resolve("hook.key")))));
            events.publish(EventKind.MEMBER_DOWN, "lb2", "lb2 is not heard from");
            events.publish("drain", "web/127.0.0.1:9001", "draining by operator"); // no kind: never an alert
            events.publish(EventKind.FAILOVER, "front", "not subscribed");
            events.publish(EventKind.CONFIG_ROLLED_BACK, "version 3", "canary on lb2 rolled back: errors"); // a canary result

            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.posts.size() == 2);
            Receiver.Post first = receiver.posts.get(0);
            JsonNode body = JSON.readTree(first.body());
            assertThat(body.path("event").asText()).isEqualTo("member_down");
            assertThat(body.path("type").asText()).isEqualTo("cluster");
            assertThat(body.path("node").asText()).isEqualTo("lb1");
            assertThat(body.path("cluster").asText()).isEqualTo("edge");
            assertThat(body.path("subject").asText()).isEqualTo("lb2");
            assertThat(first.header("X-Gatehouse-Event")).isEqualTo("member_down");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("s3cret of the hook".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertThat(first.header("X-Gatehouse-Signature")).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(first.body())));
            assertThat(JSON.readTree(receiver.posts.get(1).body()).path("event").asText()).isEqualTo("config_rolled_back");
            assertThat(counter("gatehouse_alerts_sent", receiver.url("/hook"))).isEqualTo(2);
        }
    }

    @Test
    void failuresAreRetriedWithBackoffAndAFinal4xxIsNot() throws Exception {
        try (Receiver flaky = new Receiver(n -> n <= 2 ? 503 : 200); Receiver wrong = new Receiver(n -> 400); Alerts alerts = alerts()) {
            alerts.configure(new AlertsConfig(List.of(
                    json(flaky.url("/flaky"), EnumSet.allOf(EventKind.class), Duration.ofSeconds(2), null),
                    json(wrong.url("/wrong"), EnumSet.allOf(EventKind.class), Duration.ofSeconds(2), null))));
            long start = System.nanoTime();
            events.publish(EventKind.LEASE_LOST, "front", "lb1 lost its lease");

            await().atMost(Duration.ofSeconds(10)).until(() -> flaky.posts.size() == 1);
            // two failures, then waits of 50 and 100 ms before the third attempt
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(flaky.requests).hasValue(3);
            assertThat(counter("gatehouse_alerts_retried", flaky.url("/flaky"))).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> counter("gatehouse_alerts_failed", wrong.url("/wrong")) == 1);
            assertThat(wrong.requests).hasValue(1);
        }
    }

    @Test
    void aWebhookThatAcceptsAndNeverAnswersNeverSlowsTheNode() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Receiver good = new Receiver(n -> 200); Alerts alerts = alerts()) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, never read nor answered
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            String silentUrl = "http://127.0.0.1:" + silent.getLocalPort() + "/silent";
            alerts.configure(new AlertsConfig(List.of(
                    json(silentUrl, EnumSet.allOf(EventKind.class), Duration.ofSeconds(5), null),
                    json(good.url("/good"), EnumSet.of(EventKind.FAILOVER), Duration.ofSeconds(1), null))));

            int burst = 3000;
            long slowest = 0;
            for (int i = 0; i <= burst; i++) {
                long start = System.nanoTime();
                if (i < burst) {
                    events.publish(EventKind.ENDPOINT_DOWN, "web/127.0.0.1:" + (10000 + i), "unhealthy -> down");
                } else {
                    events.publish(EventKind.FAILOVER, "front", "lb2 acquired it");
                }
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
            System.out.println("alerts: slowest of " + (burst + 1) + " publishes (each also logged) with a webhook that never"
                    + " answers: " + slowest / 1000 + " us");

            // a publish only queues: none waits on the silent webhook (5 s per attempt, 4 attempts per post); the
            // slowest measured is the first (class loading) at ~160 ms on a loaded 2-core machine
            assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> good.posts.size() == 1);
            assertThat(held).isNotEmpty();
            // the queue holds 1000, one post is in flight: the rest was dropped and counted
            assertThat(counter("gatehouse_alerts_dropped", silentUrl)).isBetween(burst + 1 - 1001.0, burst + 1 - 1000.0);
            assertThat(counter("gatehouse_alerts_dropped", good.url("/good"))).isZero();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
