package dev.gatehouse.proxy.http.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.Tools;
import dev.gatehouse.tls.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 with real clients (curl, nghttp) on a TLS listener that offers h2 and http/1.1: requests and bodies in both
 * directions reach an HTTP/1.1 backend as they were sent, large responses pass flow control, many streams share one
 * connection, a client that picks HTTP/1.1 on the same listener is served as before, and a stream in flight when the
 * listener drains finishes after the connection's GOAWAY.
 */
@Timeout(120)
class Http2Test {

    @TempDir
    Path dir;
    private H2Site site;

    @BeforeEach
    void start() throws Exception {
        site = H2Site.start(dir, "60s");
    }

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void aRequestOverHttp2ReachesTheBackendAsSent() throws Exception {
        Commands.Result r = curl("--http2", "-H", "Cookie: a=1", "-H", "Cookie: b=2", "-w", "version=%{http_version}\n",
                "https://a.test:" + site.port() + "/echo?x=1");
        assertThat(r.output()).isEqualTo("""
                method=GET
                path=/echo?x=1
                host=a.test:PORT
                cookie=[a=1; b=2]
                proto=https
                framing=none
                body=0
                version=2
                """.replace("PORT", Integer.toString(site.port())));
    }

    @Test
    void bodiesGoUpWithTheirLengthOrChunkedAndComeBackWhole() throws Exception {
        Path upload = dir.resolve("upload");
        Files.write(upload, new byte[300_000]);
        Commands.Result sized = curl("--http2", "--data-binary", "@upload", "https://a.test:" + site.port() + "/echo");
        assertThat(sized.output()).contains("method=POST", "framing=length", "body=300000");
        Commands.Result streamed = curl("--http2", "-H", "Transfer-Encoding: chunked", "--data-binary", "@upload",
                "https://a.test:" + site.port() + "/echo");
        assertThat(streamed.output()).contains("framing=chunked", "body=300000");

        for (String kind : List.of("bytes", "chunked")) {
            Commands.Result big = curl("--http2", "-o", kind, "-w", "%{http_code} %{size_download} %{http_version}",
                    "https://a.test:" + site.port() + "/" + kind + "/3000000");
            assertThat(big.output()).as(kind).isEqualTo("200 3000000 2");
            assertThat(Files.size(dir.resolve(kind))).isEqualTo(3_000_000);
        }
    }

    @Test
    void manyStreamsShareOneConnection() throws Exception {
        Tools.require("nghttp", "nghttp2-client");
        List<String> command = new ArrayList<>(List.of("nghttp", "-n", "-s", "-m", "64", "https://a.test:" + site.port() + "/bytes/20000"));
        Commands.Result r = Commands.run(dir, Duration.ofSeconds(30), "", resolved(command).toArray(String[]::new));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output().lines().filter(l -> l.matches(".*\\s200\\s+19K\\s+/bytes/20000")).count())
                .as(r.output()).isEqualTo(64);
    }

    @Test
    void aCleartextListenerWithH2cServesHttp2ByPriorKnowledgeAndHttp11Too() throws Exception {
        String url = "http://127.0.0.1:" + site.plainPort() + "/echo";
        assertThat(curl("--http2-prior-knowledge", "-w", "version=%{http_version}\n", url).output())
                .contains("proto=http\n", "host=127.0.0.1:" + site.plainPort(), "version=2");
        assertThat(curl("--http1.1", "-w", "version=%{http_version}\n", url).output()).contains("proto=http\n", "version=1.1");
        Commands.Result h2OverTls = curl("--http2", "-w", "%{http_version}", "-o", "/dev/null", "https://a.test:" + site.port() + "/echo");
        assertThat(h2OverTls.output()).isEqualTo("2");
    }

    @Test
    void aClientThatChoosesHttp11IsServedOnTheSameListener() throws Exception {
        Commands.Result r = curl("--http1.1", "-w", "version=%{http_version}\n", "https://a.test:" + site.port() + "/echo");
        assertThat(r.output()).contains("proto=https", "version=1.1");
    }

    @Test
    void aDrainingListenerSendsGoawayAndLetsTheStreamInFlightFinish() throws Exception {
        Tools.require("nghttp", "nghttp2-client");
        CompletableFuture<Commands.Result> client = CompletableFuture.supplyAsync(() -> {
            try {
                return Commands.run(dir, Duration.ofSeconds(30), "", "nghttp", "-v", "https://127.0.0.1:" + site.port() + "/slow/1500");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> site.backend().requests() == 1); // the stream's request is at the backend
        site.lb().node.shutdown(Duration.ofSeconds(10));
        String frames = client.get(30, TimeUnit.SECONDS).output();
        int goaway = frames.indexOf("recv GOAWAY frame");
        int end = frames.indexOf("recv DATA frame");
        assertThat(goaway).as(frames).isPositive();
        assertThat(frames.substring(goaway)).contains("last_stream_id=1", "error_code=NO_ERROR");
        assertThat(end).as("the response after the GOAWAY").isGreaterThan(goaway);
        assertThat(frames).contains("slow done", ":status: 200");
    }

    private Commands.Result curl(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", "ca.crt",
                "--resolve", "a.test:" + site.port() + ":127.0.0.1"));
        command.addAll(List.of(options));
        Commands.Result r = Commands.run(dir, Duration.ofSeconds(30), "", command.toArray(String[]::new));
        assertThat(r.exit()).as(r.output()).isZero();
        return r;
    }

    /** nghttp has no --resolve: it connects to 127.0.0.1 and sends a.test as SNI and :authority. */
    private List<String> resolved(List<String> command) {
        List<String> out = new ArrayList<>(command.subList(0, command.size() - 1));
        out.add(command.getLast().replace("a.test", "127.0.0.1"));
        return out;
    }
}
