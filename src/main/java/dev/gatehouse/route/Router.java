package dev.gatehouse.route;

import dev.gatehouse.config.MatchConfig;
import dev.gatehouse.config.RouteConfig;
import java.util.List;
import java.util.Map;

/**
 * The routes of one HTTP listener, compiled: request -> the position of its route. First match wins; a route
 * without a match is the default. Immutable, allocation-free on {@link #index}.
 */
public final class Router {

    private final CompiledRoute[] routes;

    public Router(List<RouteConfig> routes) {
        this.routes = routes.stream().map(CompiledRoute::of).toArray(CompiledRoute[]::new);
    }

    /** The position in the config of the first route the request matches, or -1 when none does. */
    public int index(RequestFacts request) {
        for (int i = 0; i < routes.length; i++) {
            if (routes[i].matches(request)) {
                return i;
            }
        }
        return -1;
    }

    private record CompiledRoute(String host, String pathPrefix, String[] headerNames, String[] headerValues) {

        static CompiledRoute of(RouteConfig config) {
            MatchConfig m = config.match();
            if (m == null) {
                return new CompiledRoute(null, null, new String[0], new String[0]);
            }
            String[] names = m.header().keySet().toArray(String[]::new);
            String[] values = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                values[i] = m.header().get(names[i]);
            }
            String host = m.host() == null ? null : m.host().toLowerCase(java.util.Locale.ROOT);
            return new CompiledRoute(host, m.pathPrefix(), names, values);
        }

        boolean matches(RequestFacts request) {
            if (host != null && !contentEquals(host, request.host())) {
                return false;
            }
            if (pathPrefix != null && !startsWith(request.path(), pathPrefix)) {
                return false;
            }
            for (int i = 0; i < headerNames.length; i++) {
                if (!contentEquals(headerValues[i], request.header(headerNames[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    static boolean contentEquals(String expected, CharSequence actual) {
        return actual != null && expected.contentEquals(actual);
    }

    static boolean startsWith(CharSequence path, String prefix) {
        if (path == null || path.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (path.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Convenience for tests and the admin API. */
    public static RequestFacts facts(String host, String path, Map<String, String> headers) {
        return new RequestFacts() {
            @Override
            public CharSequence host() {
                return host;
            }

            @Override
            public CharSequence path() {
                return path;
            }

            @Override
            public CharSequence header(CharSequence name) {
                for (Map.Entry<String, String> e : headers.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(name.toString())) {
                        return e.getValue();
                    }
                }
                return null;
            }
        };
    }
}
