package dev.gatehouse.alert;

import dev.gatehouse.admin.Events;
import dev.gatehouse.config.EventKind;
import java.util.List;

/** Writes events as one webhook's bodies; implementations are called from publishers' threads and must be quick. */
interface AlertBody {

    /** The body to post for {@code event} of {@code kind}, or null when this webhook is not sent it. */
    byte[] render(Events.Event event, EventKind kind);

    /** Bodies to post again now so that what is still going on stays known (empty for most formats). */
    default List<byte[]> refresh() {
        return List.of();
    }
}
