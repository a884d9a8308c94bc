package dev.gatehouse.alert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.admin.Events;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.time.WallClock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code format: alertmanager}: the body of Alertmanager's {@code POST /api/v2/alerts}. An event that begins a
 * condition (member down, endpoint down or ejected, pool in panic) opens an alert that stays firing, re-sent
 * every {@link #REFRESH} with an end {@link #REFRESH_ENDS} ahead (as Prometheus does), until the event that
 * ends it (member up, endpoint up, pool recovered) resolves it with an end of now. Any other event is a
 * one-off alert that ends {@link #ONE_OFF} after it happened.
 */
final class AlertmanagerBody implements AlertBody {

    static final Duration REFRESH = Duration.ofMinutes(1);
    static final Duration REFRESH_ENDS = REFRESH.multipliedBy(4);
    static final Duration ONE_OFF = Duration.ofMinutes(15);
    private static final Set<EventKind> LASTING =
            Set.of(EventKind.MEMBER_DOWN, EventKind.ENDPOINT_DOWN, EventKind.ENDPOINT_EJECTED, EventKind.POOL_PANIC);

    private final Set<EventKind> subscribed;
    private final Origin origin;
    private final WallClock clock;
    /** Firing lasting alerts by alert name and subject, in the order they opened. */
    private final Map<List<String>, Open> open = new LinkedHashMap<>();

    private record Open(EventKind kind, String subject, String detail, Instant since) {}

    AlertmanagerBody(Set<EventKind> subscribed, Origin origin, WallClock clock) {
        this.subscribed = subscribed;
        this.origin = origin;
        this.clock = clock;
    }

    @Override
    public synchronized byte[] render(Events.Event event, EventKind kind) {
        ArrayNode alerts = JSON.createArrayNode();
        Instant now = Instant.ofEpochMilli(clock.millis());
        for (EventKind ended : kind.resolves()) {
            Open was = open.remove(key(ended, event.subject()));
            if (was != null) {
                alerts.add(alert(ended, event.subject(), was.detail() + "; resolved: " + event.detail(), was.since(), now));
            }
        }
        if (kind.resolves().isEmpty() && kind.wantedBy(subscribed)) {
            if (LASTING.contains(kind)) {
                open.putIfAbsent(key(kind, event.subject()), new Open(kind, event.subject(), event.detail(), event.at()));
                alerts.add(alert(kind, event.subject(), event.detail(), event.at(), now.plus(REFRESH_ENDS)));
            } else {
                alerts.add(alert(kind, event.subject(), event.detail(), event.at(), event.at().plus(ONE_OFF)));
            }
        }
        return alerts.isEmpty() ? null : AlertBody.bytes(alerts);
    }

    @Override
    public synchronized List<byte[]> refresh() {
        if (open.isEmpty()) {
            return List.of();
        }
        Instant ends = Instant.ofEpochMilli(clock.millis()).plus(REFRESH_ENDS);
        ArrayNode alerts = JSON.createArrayNode();
        open.values().forEach(o -> alerts.add(alert(o.kind(), o.subject(), o.detail(), o.since(), ends)));
        return List.of(AlertBody.bytes(alerts));
    }

    private static List<String> key(EventKind kind, String subject) {
        return List.of(kind.label(), subject);
    }

    private ObjectNode alert(EventKind kind, String subject, String detail, Instant starts, Instant ends) {
        ObjectNode alert = JSON.createObjectNode();
        ObjectNode labels = alert.putObject("labels")
                .put("alertname", alertName(kind))
                .put("severity", severity(kind))
                .put("event", kind.label())
                .put("subject", subject);
        if (origin.node() != null) {
            labels.put("node", origin.node());
        }
        if (origin.cluster() != null) {
            labels.put("cluster", origin.cluster());
        }
        alert.putObject("annotations")
                .put("summary", kind.label().replace('_', ' ') + ": " + subject)
                .put("description", detail);
        alert.put("startsAt", starts.toString());
        alert.put("endsAt", ends.toString());
        return alert;
    }

    /** {@code member_down} is {@code GatehouseMemberDown}. */
    static String alertName(EventKind kind) {
        StringBuilder name = new StringBuilder("Gatehouse");
        for (String word : kind.label().split("_")) {
            name.append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
        }
        return name.toString();
    }

    private static String severity(EventKind kind) {
        return switch (kind) {
            case SPLIT_SUSPECTED, LEASE_LOST, MEMBER_DOWN, POOL_PANIC, CONFIG_REFUSED -> "critical";
            case CANARY -> "info";
            default -> "warning";
        };
    }
}
