package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Set;

/**
 * The events an operator can be alerted of ({@code alerts.webhooks[].events}), each with the coarse type the event
 * stream groups it under. Some end a condition another one began: {@link #resolves()} names it, so an
 * Alertmanager alert started by one is resolved by the other.
 */
public enum EventKind {
    FAILOVER("failover"),
    LEASE_LOST("failover"),
    SPLIT_SUSPECTED("failover"),
    MEMBER_DOWN("cluster"),
    MEMBER_UP("cluster"),
    CONFIG_REFUSED("config"),
    CONFIG_ROLLED_BACK("config"),
    CANARY("config"),
    ENDPOINT_DOWN("health"),
    ENDPOINT_EJECTED("health"),
    ENDPOINT_UP("health"),
    POOL_PANIC("health"),
    POOL_RECOVERED("health");

    private final String type;

    EventKind(String type) {
        this.type = type;
    }

    /** The event stream's type for this kind (failover, cluster, config, health). */
    public String type() {
        return type;
    }

    /** The name written in config, in the event stream and in payloads, e.g. {@code member_down}. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kinds whose condition this one ends (empty for most). */
    public Set<EventKind> resolves() {
        return switch (this) {
            case MEMBER_UP -> Set.of(MEMBER_DOWN);
            case ENDPOINT_UP -> Set.of(ENDPOINT_DOWN, ENDPOINT_EJECTED);
            case POOL_RECOVERED -> Set.of(POOL_PANIC);
            default -> Set.of();
        };
    }

    /** Whether a webhook subscribed to {@code subscribed} wants this event: a rolled-back canary is a canary result too. */
    public boolean wantedBy(Set<EventKind> subscribed) {
        return subscribed.contains(this) || this == CONFIG_ROLLED_BACK && subscribed.contains(CANARY);
    }
}
