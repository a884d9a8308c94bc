package dev.gatehouse.alert;

import dev.gatehouse.admin.Events;
import dev.gatehouse.config.AlertsConfig;
import dev.gatehouse.config.AlertsConfig.Webhook;
import dev.gatehouse.config.EventKind;
import dev.gatehouse.config.SecretFile;
import dev.gatehouse.metrics.Metrics;
import dev.gatehouse.time.WallClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends the node's alertable events ({@link Events} with a kind) to the webhooks of {@code alerts:}. It subscribes
 * to the events once; each event is written for every webhook that wants it and queued on that webhook's
 * {@link WebhookSender}, off the publisher's thread. A new config replaces the webhooks when {@code alerts:}
 * changed.
 */
public final class Alerts implements AutoCloseable {

    private static final Duration BACKOFF = Duration.ofSeconds(1);

    private record Hook(String label, AlertBody body, WebhookSender sender) {}

    private final Origin origin;
    private final Metrics metrics;
    private final WallClock clock;
    private final Duration backoff;
    private final Runnable unsubscribe;
    private final ScheduledExecutorService refresher =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("alerts-refresh").factory());
    private volatile List<Hook> hooks = List.of();
    private AlertsConfig config;

    public Alerts(Events events, Origin origin, Metrics metrics) {
        this(events, origin, metrics, WallClock.system(), BACKOFF);
    }

    /** @param backoff the wait before a failed post's first retry; it doubles for each next one */
    Alerts(Events events, Origin origin, Metrics metrics, WallClock clock, Duration backoff) {
        this.origin = origin;
        this.metrics = metrics;
        this.clock = clock;
        this.backoff = backoff;
        this.unsubscribe = events.subscribe(this::publish);
        long refresh = AlertmanagerBody.REFRESH.toMillis();
        refresher.scheduleAtFixedRate(this::refresh, refresh, refresh, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code next} (null: no alerts) from now on; the webhooks are rebuilt only when it differs. */
    public synchronized void configure(AlertsConfig next) {
        if (Objects.equals(next, config)) {
            return;
        }
        config = next;
        List<Hook> old = hooks;
        List<Hook> built = new ArrayList<>();
        if (next != null) {
            for (Webhook w : next.webhooks()) {
                built.add(hook(w));
            }
        }
        hooks = List.copyOf(built);
        old.forEach(h -> h.sender().close());
    }

    private Hook hook(Webhook w) {
        String label = w.url().getScheme() + "://" + w.url().getAuthority() + w.url().getPath();
        AlertBody body = switch (w.format()) {
            case JSON -> new JsonBody(w.events(), origin);
            case ALERTMANAGER -> new AlertmanagerBody(w.events(), origin, clock);
        };
        WebhookSender sender = new WebhookSender(w.url(), w.timeout(), signature(w), backoff, label, metrics);
        metrics.gauge("gatehouse_alerts_queued", "Alerts waiting to be posted to the webhook", () -> queued(label),
                "webhook", label);
        return new Hook(label, body, sender);
    }

    private static Signature signature(Webhook w) {
        if (w.secretFile() == null) {
            return null;
        }
        try {
            return new Signature(SecretFile.read(w.secretFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the webhook secret " + w.secretFile(), e);
        }
    }

    private int queued(String label) {
        return hooks.stream().filter(h -> h.label().equals(label)).mapToInt(h -> h.sender().queued()).sum();
    }

    private void publish(Events.Event event) {
        EventKind kind = event.kind();
        if (kind == null) {
            return;
        }
        for (Hook h : hooks) {
            byte[] body = h.body().render(event, kind);
            if (body != null) {
                h.sender().offer(body, kind.label());
            }
        }
    }

    private void refresh() {
        for (Hook h : hooks) {
            h.body().refresh().forEach(body -> h.sender().offer(body, "refresh"));
        }
    }

    @Override
    public synchronized void close() {
        unsubscribe.run();
        refresher.shutdownNow();
        hooks.forEach(h -> h.sender().close());
        hooks = List.of();
    }
}
