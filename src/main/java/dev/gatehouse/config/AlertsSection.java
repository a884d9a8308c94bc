package dev.gatehouse.config;

import dev.gatehouse.config.AlertsConfig.Format;
import dev.gatehouse.config.AlertsConfig.Webhook;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Reads {@code alerts:}: its webhooks. */
final class AlertsSection {

    /** Where Alertmanager takes alerts, appended to its base URL. */
    static final String ALERTMANAGER_PATH = "/api/v2/alerts";
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    private AlertsSection() {}

    /** @param baseDir where a relative {@code secret_file} is found; null to look nothing up */
    static AlertsConfig read(YamlNode a, Path baseDir) {
        if (!a.expectKeys("webhooks")) {
            return null;
        }
        List<Webhook> webhooks = new ArrayList<>();
        for (YamlNode w : a.requireItems("webhooks", "webhook")) {
            Webhook webhook = webhook(w, baseDir);
            if (webhook != null) {
                webhooks.add(webhook);
            }
        }
        return new AlertsConfig(webhooks);
    }

    private static Webhook webhook(YamlNode w, Path baseDir) {
        if (!w.expectKeys("url", "format", "events", "timeout", "secret_file")) {
            return null;
        }
        Format format = w.get("format", Values.oneOf(Format.class), Format.JSON);
        URI url = w.require("url", AlertsSection::url);
        if (url != null && format == Format.ALERTMANAGER && !url.getPath().endsWith(ALERTMANAGER_PATH)) {
            url = URI.create(url.toString().replaceAll("/+$", "") + ALERTMANAGER_PATH);
        }
        Duration timeout = w.get("timeout", AlertsSection::timeout, AlertsConfig.DEFAULT_TIMEOUT);
        String secret = w.get("secret_file", Values.TEXT, null);
        Path secretFile = secret == null ? null : ConfigPaths.readableFile(w.get("secret_file"), secret, baseDir);
        return new Webhook(url, format, events(w), timeout, secretFile);
    }

    private static Set<EventKind> events(YamlNode w) {
        if (!w.has("events")) {
            return EnumSet.allOf(EventKind.class);
        }
        Set<EventKind> events = EnumSet.noneOf(EventKind.class);
        Duplicates<String> seen = new Duplicates<>("event");
        for (YamlNode e : w.requireItems("events", "event")) {
            EventKind kind = e.as(Values.oneOf(EventKind.class));
            seen.check(kind == null ? null : kind.label(), e);
            if (kind != null) {
                events.add(kind);
            }
        }
        return events;
    }

    private static URI url(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL: " + e.getReason());
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("must be an http:// or https:// URL, got '" + text + "'");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("must name a host, got '" + text + "'");
        }
        if (url.getUserInfo() != null) {
            throw new IllegalArgumentException("must not carry credentials (secrets live in files): " + url.getHost());
        }
        return url;
    }

    private static Duration timeout(String text) {
        Duration d = Values.POSITIVE_DURATION.apply(text);
        if (d.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("must be at most " + Durations.format(MAX_TIMEOUT) + ", got " + text);
        }
        return d;
    }
}
