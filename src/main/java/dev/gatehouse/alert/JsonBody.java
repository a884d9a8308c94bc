package dev.gatehouse.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.admin.Events;
import dev.gatehouse.config.EventKind;
import java.util.Set;

/** {@code format: json}: one object per event, its fields named as in the event stream. */
final class JsonBody implements AlertBody {

    private final Set<EventKind> subscribed;
    private final Origin origin;

    JsonBody(Set<EventKind> subscribed, Origin origin) {
        this.subscribed = subscribed;
        this.origin = origin;
    }

    @Override
    public byte[] render(Events.Event event, EventKind kind) {
        if (!kind.wantedBy(subscribed)) {
            return null;
        }
        ObjectNode body = JSON.createObjectNode()
                .put("event", kind.label())
                .put("type", event.type())
                .put("node", origin.node())
                .put("cluster", origin.cluster())
                .put("subject", event.subject())
                .put("detail", event.detail())
                .put("at", event.at().toString())
                .put("seq", event.seq());
        return AlertBody.bytes(body);
    }
}
