package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A listener's {@code access_log:}: read with its defaults, and every mistake reported at its line and key path. */
class AccessLogSectionTest {

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    @Test
    void readsFileStdoutFormatAndSample() {
        ConfigResult result = fixture.parse("""
                node: { id: lb1 }
                listeners:
                  - { name: a, bind: 127.0.0.1:0, routes: [ { pool: p } ], access_log: { path: logs.json } }
                  - { name: b, bind: 127.0.0.1:0, routes: [ { pool: p } ], access_log: { path: "-", format: text, sample: 10% } }
                pools:
                  p: { endpoints: [ { address: 127.0.0.1:9001 } ] }
                """);
        assertThat(result.errors()).isEmpty();
        assertThat(result.config().listeners().get(0).accessLog())
                .isEqualTo(new AccessLogConfig(fixture.dir().resolve("logs.json"), AccessLogConfig.Format.JSON, 1.0));
        assertThat(result.config().listeners().get(1).accessLog())
                .isEqualTo(new AccessLogConfig(null, AccessLogConfig.Format.TEXT, 0.1));
    }

    @Test
    void everyMistakeIsNamedAtItsLine() {
        assertThat(fixture.errors("""
                node: { id: lb1 }
                listeners:
                  - name: a
                    bind: 127.0.0.1:0
                    routes: [ { pool: p } ]
                    access_log: { path: no/such/dir/a.log, format: clf, sample: 0.5% }
                  - name: b
                    bind: 127.0.0.1:0
                    routes: [ { pool: p } ]
                    access_log: { path: ".", sample: 150%, rotate: daily }
                  - name: c
                    bind: 127.0.0.1:0
                    routes: [ { pool: p } ]
                    access_log: { format: json }
                pools:
                  p: { endpoints: [ { address: 127.0.0.1:9001 } ] }
                """)).containsExactly(
                "gh.yaml:6 listeners[0].access_log.format: must be one of json | text, got 'clf'",
                "gh.yaml:6 listeners[0].access_log.sample: must be 1%..100%, got 0.5%",
                "gh.yaml:6 listeners[0].access_log.path: no directory " + fixture.dir().resolve("no/such/dir")
                        + " (a relative path is resolved from the config file's directory)",
                "gh.yaml:10 listeners[1].access_log.rotate: unknown key",
                "gh.yaml:10 listeners[1].access_log.sample: must be 0%..100%, got 150%",
                "gh.yaml:10 listeners[1].access_log.path: " + fixture.dir() + " is a directory",
                "gh.yaml:14 listeners[2].access_log.path: is required");
    }
}
