package dev.gatehouse.node;

import dev.gatehouse.FreePorts;
import dev.gatehouse.Tools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.demo.DemoBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `gatehouse run` as a real process: SIGHUP reloads (or refuses) the file, SIGUSR1 reopens the access logs, SIGTERM
 * drains and exits.
 */
class ProcessSignalsTest {

    @TempDir
    Path dir;

    @Test
    void sighupReloadsAndSigtermDrains() throws Exception {
        int web = FreePorts.on("127.0.0.1");
        int admin = FreePorts.on("127.0.0.1");
        try (DemoBackend be1 = DemoBackend.start("127.0.0.1", 0, "be1");
                HttpClient http = HttpClient.newHttpClient()) {
            String config = """
                    node: { id: lb1, admin: "127.0.0.1:%d" }
                    listeners:
                      - { name: web, bind: "127.0.0.1:%d", routes: [ { pool: web } ] }
                    pools:
                      web: { endpoints: [ { address: "127.0.0.1:%d", weight: WEIGHT } ] }
                    """.formatted(admin, web, be1.port());
            Path file = dir.resolve("gatehouse.yaml");
            Files.writeString(file, config.replace("WEIGHT", "1"));
            Path log = dir.resolve("node.log");
            Process node = run(file, log);
            try {
                // The admin API answers before the start is over: a reload asked then runs once the node runs, and must
                // not end the process, which is the JVM's own SIGHUP action.
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> get(http, admin, "/healthz").statusCode() == 200);
                Files.writeString(file, config.replace("WEIGHT", "3"));
                signal(node, "HUP");
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> version(http, admin) == 2);
                assertThat(node.isAlive()).isTrue();

                Files.writeString(file, config.replace("WEIGHT", "0"));
                signal(node, "HUP");
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("refused"));
                assertThat(version(http, admin)).isEqualTo(2);

                var slow = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + "/slow?ms=1000")).build(),
                        HttpResponse.BodyHandlers.ofString());
                await().atMost(Duration.ofSeconds(5)).until(() -> be1.requests() == 1);
                node.destroy(); // SIGTERM
                assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                assertThat(node.waitFor(15, TimeUnit.SECONDS)).isTrue();
                assertThat(Files.readString(log)).contains("shutting down: draining");
            } finally {
                node.destroyForcibly();
            }
        }
    }

    /**
     * logrotate (the real one, with deploy/logrotate/gatehouse) moves the file away, then sends SIGUSR1: the lines after
     * it go to a new file at the path.
     */
    @Test
    void sigusr1FromLogrotateReopensTheAccessLog() throws Exception {
        Path logrotate = Tools.require("/usr/sbin/logrotate", "logrotate");
        int web = FreePorts.on("127.0.0.1");
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (DemoBackend be1 = DemoBackend.start("127.0.0.1", 0, "be1");
                HttpClient http = HttpClient.newHttpClient()) {
            Path file = dir.resolve("gatehouse.yaml");
            Files.writeString(file, """
                    node: { id: lb1 }
                    listeners:
                      - { name: web, bind: "127.0.0.1:%d", routes: [ { pool: web } ], access_log: { path: access.log } }
                    pools:
                      web: { endpoints: [ { address: "127.0.0.1:%d" } ] }
                    """.formatted(web, be1.port()));
            Process node = run(file, dir.resolve("node.out"));
            try {
                URI uri = URI.create("http://127.0.0.1:" + web + "/");
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode() == 200);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && !Files.readAllLines(log).isEmpty());
                // the access log is open once the node runs, which it logs
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("node.out")).contains("running config version"));
                rotate(logrotate, node.pid());
                // the reopen happens on the writer's thread: lines go on to the moved file until it has
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                    return Files.exists(log) && !Files.readAllLines(log).isEmpty();
                });
                assertThat(Files.readAllLines(log).getFirst()).contains("\"status\":200");
                assertThat(Files.readAllLines(rotated)).isNotEmpty().allMatch(l -> l.contains("\"status\":200"));
                assertThat(node.isAlive()).isTrue(); // SIGUSR1's default action would have ended it
            } finally {
                node.destroyForcibly();
            }
        }
    }

    /**
     * Runs logrotate once, forced, with the shipped rules for this test's directory: its logs instead of
     * /var/log/gatehouse's, and {@code kill -USR1 PID} for the systemd unit's main process.
     */
    private void rotate(Path logrotate, long pid) throws Exception {
        String rules = Files.readString(Path.of("deploy/logrotate/gatehouse"));
        assertThat(rules).contains("/var/log/gatehouse/*.log", "systemctl kill --kill-whom=main --signal=SIGUSR1 gatehouse.service");
        Path conf = dir.resolve("logrotate.conf");
        Files.writeString(conf, rules.replace("/var/log/gatehouse/", dir + "/")
                .replace("systemctl kill --kill-whom=main --signal=SIGUSR1 gatehouse.service", "kill -USR1 " + pid));
        Tools.Output out = Tools.run(List.of(logrotate.toString(), "-f", "-s", dir.resolve("logrotate.state").toString(),
                conf.toString()), dir, null);
        assertThat(out.exit()).as(out.text()).isZero();
    }

    @Test
    void aNodeStartedWithSighupIgnoredSaysThatASighupWillNotReload() throws Exception {
        Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, "node: { id: lb1 }\nlisteners: []\npools: {}\n");
        Path out = dir.resolve("node.out");
        Process node = start(List.of("nohup"), file, out);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("running config version"));
            assertThat(Files.readString(out)).contains("SIGHUP is ignored in this process");
        } finally {
            node.destroyForcibly();
        }
    }

    /**
     * {@code gatehouse run -c config} as a process of its own, its output to {@code output}; SIGHUP at its default
     * even when the build runs under nohup (a JVM keeps an ignored SIGHUP ignored, and the node warns of it).
     */
    private static Process run(Path config, Path output) throws IOException {
        return start(List.of("env", "--default-signal=HUP"), config, output);
    }

    private static Process start(List<String> launcher, Path config, Path output) throws IOException {
        List<String> command = new java.util.ArrayList<>(launcher);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), "dev.gatehouse.Main", "run", "-c", config.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static void signal(Process p, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).start().waitFor()).isZero();
    }

    private static HttpResponse<String> get(HttpClient http, int admin, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long version(HttpClient http, int admin) throws Exception {
        return new ObjectMapper().readTree(get(http, admin, "/api/v1/status").body()).path("config_version").asLong();
    }

}
