package dev.gatehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The CLI's way to a node's admin API. It sends the admin token when it has one; an API it cannot reach is an
 * {@link Unreachable}, a refused token a {@link CommandFailure}, each one line for the operator.
 */
final class AdminClient {

    static final String DEFAULT = "127.0.0.1:9901";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String hostPort;
    private final TokenOption.Token token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** @param token null to send none */
    AdminClient(String hostPort, TokenOption.Token token) {
        this.hostPort = hostPort;
        this.token = token;
    }

    /** A response: status code and parsed JSON body. */
    record Reply(int status, JsonNode body) {}

    /** The admin API did not answer: nothing listens, or it is too slow. */
    static final class Unreachable extends IOException {
        Unreachable(String message) {
            super(message, null);
        }
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Reply post(String path) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + hostPort + path)).timeout(TIMEOUT);
        return token == null ? b : b.header("Authorization", "Bearer " + token.value());
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within 2 s");
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw unreachable(reason(e));
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CommandFailure("the admin API at " + hostPort + " answered " + r.statusCode() + " with a body that is not JSON");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new CommandFailure(refusal(body.path("reason").asText("")));
        }
        return new Reply(r.statusCode(), body);
    }

    /** The innermost message, as the socket layer put it ("Connection refused" → "connection refused"). */
    private static String reason(IOException e) {
        String why = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                why = t.getMessage();
            }
        }
        if (why == null) {
            return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
        }
        return Character.toLowerCase(why.charAt(0)) + why.substring(1);
    }

    private Unreachable unreachable(String why) {
        return new Unreachable("cannot reach the admin API at " + hostPort + ": " + why);
    }

    private String refusal(String reason) {
        String at = "the admin API at " + hostPort;
        String sent = token == null ? "the request without a token" : token.source();
        return switch (reason) {
            case "missing_token" -> at + " needs a token: pass --token-file FILE or set " + TokenOption.FILE_VARIABLE;
            case "wrong_token" -> at + " refused " + sent + ": it is not one of its tokens";
            case "read_only_token" -> at + " refused " + sent + ": it is the read token; this needs the write token";
            case "writes_disabled" -> at + " takes no writes: its node.admin has no token_file";
            default -> at + " refused the request (" + (reason.isEmpty() ? "no reason given" : reason) + ")";
        };
    }

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
