package dev.gatehouse.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.MatchConfig;
import dev.gatehouse.config.RouteConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

    private final Routes router = new Routes(List.of(
            new RouteConfig(new MatchConfig("api.example.com", "/api", Map.of("X-Canary", "1")), "canary"),
            new RouteConfig(new MatchConfig("api.example.com", "/api", null), "api"),
            new RouteConfig(new MatchConfig(null, "/static/", null), "static"),
            new RouteConfig(null, "web")));

    /** A {@link Router} and its routes: the pool of the route it picks, null when it picks none. */
    private record Routes(List<RouteConfig> configs, Router router) {

        Routes(List<RouteConfig> configs) {
            this(configs, new Router(configs));
        }

        String select(RequestFacts request) {
            int i = router.index(request);
            return i < 0 ? null : configs.get(i).pool();
        }
    }

    @Test
    void firstMatchingRouteWins() {
        assertThat(router.select(Router.facts("api.example.com", "/api/users", Map.of("x-canary", "1")))).isEqualTo("canary");
        assertThat(router.select(Router.facts("api.example.com", "/api/users", Map.of()))).isEqualTo("api");
    }

    @Test
    void everyFieldOfAMatchMustHold() {
        assertThat(router.select(Router.facts("api.example.com", "/apx", Map.of("X-Canary", "1")))).isEqualTo("web");
        assertThat(router.select(Router.facts("www.example.com", "/api/users", Map.of("X-Canary", "1")))).isEqualTo("web");
        assertThat(router.select(Router.facts("api.example.com", "/api", Map.of("X-Canary", "2")))).isEqualTo("api");
    }

    @Test
    void pathPrefixIsLiteral() {
        assertThat(router.select(Router.facts("x", "/static/app.js", Map.of()))).isEqualTo("static");
        assertThat(router.select(Router.facts("x", "/static", Map.of()))).isEqualTo("web");
        assertThat(router.select(Router.facts(null, "/static/", Map.of()))).isEqualTo("static");
    }

    @Test
    void noDefaultRouteMeansNoPool() {
        Routes strict = new Routes(List.of(new RouteConfig(new MatchConfig("a.example", null, null), "a")));
        assertThat(strict.select(Router.facts("b.example", "/", Map.of()))).isNull();
        assertThat(strict.select(Router.facts(null, "/", Map.of()))).isNull();
    }
}
