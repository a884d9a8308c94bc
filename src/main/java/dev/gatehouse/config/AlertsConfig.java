package dev.gatehouse.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code alerts:}, cluster-wide: where this node posts the events an operator must hear of.
 *
 * @param webhooks in file order
 */
public record AlertsConfig(List<Webhook> webhooks) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public AlertsConfig {
        webhooks = List.copyOf(webhooks);
    }

    /** How a webhook's body is written. */
    public enum Format {
        /** One JSON object per event, signed when a secret is set. */
        JSON,
        /** Alertmanager's {@code POST /api/v2/alerts}: {@code url} is the Alertmanager's base URL. */
        ALERTMANAGER
    }

    /**
     * @param events the kinds this webhook is sent (every kind when the key is absent)
     * @param secretFile signs each body with HMAC-SHA256 under this file's bytes; null: unsigned
     */
    public record Webhook(URI url, Format format, Set<EventKind> events, Duration timeout, Path secretFile) {

        public Webhook {
            EnumSet<EventKind> sorted = EnumSet.noneOf(EventKind.class); // enum order: the same rendering on every node
            sorted.addAll(events);
            events = Collections.unmodifiableSet(sorted);
        }
    }
}
