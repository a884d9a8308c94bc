package dev.gatehouse.admin;

import dev.gatehouse.config.EventKind;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happened on this node that an operator wants to see: health changes, ejections, drains, config
 * versions, failovers, members lost and back. Kept in a bounded ring for late readers, pushed to live subscribers
 * (the server-sent-events stream) and logged. Control-plane only.
 */
public final class Events {

    private static final Logger LOG = LoggerFactory.getLogger("gatehouse.events");
    private static final int KEEP = 500;

    /**
     * One event: {@code type} is a short machine word (health, ejection, drain, config, ...); {@code kind} that of
     * an event an operator can be alerted of (written as its label), else null.
     */
    public record Event(long seq, Instant at, String type, EventKind kind, String subject, String detail) {}

    private final ArrayDeque<Event> recent = new ArrayDeque<>();
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private long seq;

    public void publish(String type, String subject, String detail) {
        publish(type, null, subject, detail);
    }

    /** Publishes an event alerts can be sent for, under its kind's type. */
    public void publish(EventKind kind, String subject, String detail) {
        publish(kind.type(), kind, subject, detail);
    }

    private void publish(String type, EventKind kind, String subject, String detail) {
        Event e;
        synchronized (recent) {
            e = new Event(++seq, Instant.now(), type, kind, subject, detail);
            recent.addLast(e);
            if (recent.size() > KEEP) {
                recent.removeFirst();
            }
        }
        LOG.info("{} {}: {}", type, subject, detail);
        for (Consumer<Event> s : subscribers) {
            s.accept(e);
        }
    }

    public List<Event> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    public Runnable subscribe(Consumer<Event> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }
}
