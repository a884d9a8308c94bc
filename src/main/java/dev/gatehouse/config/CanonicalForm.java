package dev.gatehouse.config;

import dev.gatehouse.tls.TlsSettings;
import dev.gatehouse.tls.UpstreamTlsSettings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deterministic text rendering of validated config records, for hashing. It renders values after defaults
 * and parsing (so {@code 1000ms} and {@code 1s}, or an explicit default and an absent key, render alike) and
 * sorts every map by key (so the order of pools in the file or of headers in a match does not matter).
 */
final class CanonicalForm {

    private CanonicalForm() {}

    /**
     * Everything but {@code node:}. The secret file's path is left out too: each node may keep its key in a
     * different place, and nodes holding different keys cannot talk to each other anyway. Of a webhook's secret
     * file only the name counts, as a relative path resolves to a different place on each node. Certificate paths
     * count as written, not as resolved from each node's config directory, and a pool's TLS files by name, not content.
     */
    static String clusterWide(GatehouseConfig config) {
        ClusterConfig c = config.cluster();
        ClusterConfig cluster = c == null ? null : new ClusterConfig(c.name(), null, c.members(), c.vips(), c.lease());
        AlertsConfig a = config.alerts();
        AlertsConfig alerts = a == null ? null : new AlertsConfig(a.webhooks().stream()
                .map(w -> new AlertsConfig.Webhook(w.url(), w.format(), w.events(), w.timeout(),
                        w.secretFile() == null ? null : w.secretFile().getFileName()))
                .toList());
        StringBuilder out = new StringBuilder();
        render(new GatehouseConfig(null, config.listeners(), config.pools(), cluster, alerts, config.gslb()), out);
        return out.toString();
    }

    private static void render(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> out.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            // As written: nodes keep their certificates where they like, as they do the secret file.
            case TlsSettings.CertificatePair p -> render(List.of(p.certAsWritten(), p.keyAsWritten()), out);
            case TlsSettings.ClientAuth a -> render(List.of(a.caAsWritten(), a.required()), out);
            case UpstreamTlsSettings t -> renderRecord(t.asWritten(), out);
            case Record r -> renderRecord(r, out);
            case Map<?, ?> m -> {
                Map<String, Object> sorted = new TreeMap<>();
                m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
                out.append('{');
                sorted.forEach((k, v) -> {
                    render(k, out);
                    out.append(':');
                    render(v, out);
                    out.append(',');
                });
                out.append('}');
            }
            case Collection<?> c -> {
                out.append('[');
                c.forEach(item -> {
                    render(item, out);
                    out.append(',');
                });
                out.append(']');
            }
            default -> out.append(value); // numbers, booleans, enums, Duration, Path: toString is canonical
        }
    }

    private static void renderRecord(Record r, StringBuilder out) {
        out.append(r.getClass().getSimpleName()).append('{');
        for (RecordComponent component : r.getClass().getRecordComponents()) {
            out.append(component.getName()).append('=');
            try {
                render(component.getAccessor().invoke(r), out);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + component, e);
            }
            out.append(',');
        }
        out.append('}');
    }
}
