package dev.gatehouse.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.admin.Events;
import dev.gatehouse.config.EventKind;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes events as one webhook's bodies; implementations are called from publishers' threads and must be quick. */
interface AlertBody {

    /** The body to post for {@code event} of {@code kind}, or null when this webhook is not sent it. */
    byte[] render(Events.Event event, EventKind kind);

    /** Bodies to post again now so that what is still going on stays known (empty for most formats). */
    default List<byte[]> refresh() {
        return List.of();
    }

    /** Writes the bodies of every format. */
    ObjectMapper JSON = new ObjectMapper();

    /** {@code body} as the bytes to post. */
    static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
