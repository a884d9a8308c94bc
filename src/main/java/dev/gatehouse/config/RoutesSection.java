package dev.gatehouse.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the {@code routes:} of an HTTP listener. */
final class RoutesSection {

    private final Set<String> pools;

    RoutesSection(Set<String> pools) {
        this.pools = pools;
    }

    List<RouteConfig> read(YamlNode listener) {
        List<YamlNode> items = listener.requireItems("routes", "route");
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            YamlNode r = items.get(i);
            if (!r.expectKeys("match", "pool")) {
                continue;
            }
            MatchConfig match = match(r.get("match"));
            YamlNode pool = r.require("pool");
            routes.add(new RouteConfig(match, pool == null ? null : ListenersSection.poolReference(pool, pools)));
            if (match == null && i < items.size() - 1) {
                r.error("a route without match takes every request, so the routes after it are unreachable; put it last");
            }
        }
        return routes;
    }

    /** @return null when absent or empty: the route matches every request */
    private static MatchConfig match(YamlNode m) {
        if (m == null || !m.expectKeys("host", "path_prefix", "header")) {
            return null;
        }
        String host = m.get("host", Addresses::host, null);
        String pathPrefix = m.get("path_prefix", RoutesSection::pathPrefix, null);
        Map<String, String> header = headers(m.get("header"));
        return host == null && pathPrefix == null && header.isEmpty() ? null : new MatchConfig(host, pathPrefix, header);
    }

    private static Map<String, String> headers(YamlNode h) {
        Map<String, String> header = new LinkedHashMap<>();
        if (h == null || !h.expectMapping()) {
            return header;
        }
        h.fields().forEach((name, value) -> {
            try {
                Names.token(name);
            } catch (IllegalArgumentException e) {
                value.keyError("header name " + e.getMessage());
                return;
            }
            String v = value.as(String::strip);
            if (v != null) {
                header.put(name, v);
            }
        });
        return header;
    }

    private static String pathPrefix(String text) {
        if (!text.startsWith("/") || text.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("must be a path starting with '/', got '" + text + "'");
        }
        return text;
    }
}
