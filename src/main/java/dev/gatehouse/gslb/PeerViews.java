package dev.gatehouse.gslb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.config.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Fetches the other GSLB servers' own check verdicts ({@code GET /api/v1/gslb/checks} on their admin APIs) into
 * {@link Votes}, one request per peer per check interval, each bounded by the check timeout. A peer's targets are
 * matched by record name and address, so a peer whose config differs counts only where it checks the same target;
 * a peer that answers as this node (a cluster's shared peer list names every member) is not counted twice.
 */
final class PeerViews {

    /** A peer's reachability changed: its address, and null when it answers again or why it does not. */
    interface Listener {
        void reachability(String peer, String problem);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<HostPort> peers;
    private final String ownNode;
    private final Map<String, Integer> targetIndex;
    private final int targets;
    private final Votes votes;
    private final Duration timeout;
    private final Listener listener;
    /** Null without peers: an HTTP client holds a selector thread. */
    private final HttpClient http;
    /** The last problem of each peer ("" while it answers), to report each change once. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();

    /** @param targetIndex zone-wide target index by {@link #key(String, String)} */
    PeerViews(List<HostPort> peers, String ownNode, Map<String, Integer> targetIndex, Votes votes,
            Duration timeout, Listener listener) {
        this.peers = List.copyOf(peers);
        this.ownNode = ownNode;
        this.targetIndex = new HashMap<>(targetIndex);
        this.targets = targetIndex.size();
        this.votes = votes;
        this.timeout = timeout;
        this.listener = listener;
        this.http = peers.isEmpty() ? null : HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    static String key(String record, String address) {
        return record + " " + address;
    }

    boolean any() {
        return !peers.isEmpty();
    }

    List<HostPort> peers() {
        return peers;
    }

    /** Fetches every peer's verdicts, each on a thread from {@code runner}; {@code done} runs after each fetch. */
    void fetchAll(java.util.concurrent.Executor runner, Runnable done) {
        for (HostPort peer : peers) {
            runner.execute(() -> {
                fetch(peer);
                done.run();
            });
        }
    }

    private void fetch(HostPort peer) {
        String address = peer.toString();
        String problem;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/api/v1/gslb/checks"))
                    .timeout(timeout).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            problem = response.statusCode() == 200 ? take(address, JSON.readTree(response.body())) : "HTTP " + response.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.io.IOException | RuntimeException e) { // unreachable, timed out, or not JSON: one peer less, said once
            problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        votes.asked(address);
        String before = problems.put(address, problem == null ? "" : problem);
        boolean okNow = problem == null;
        if (before == null ? !okNow : okNow != before.isEmpty()) { // a first fetch that works is no news
            listener.reachability(address, problem);
        }
    }

    /** Records a peer's answer; null when taken, else why not. */
    private String take(String address, JsonNode body) {
        String node = body.path("node").asText("");
        if (node.equals(ownNode)) {
            return null; // this node itself, by the shared list: its verdicts are counted as its own already
        }
        byte[] verdicts = new byte[targets];
        for (JsonNode t : body.path("targets")) {
            Integer index = targetIndex.get(key(t.path("record").asText(), t.path("address").asText()));
            if (index != null) {
                verdicts[index] = switch (t.path("state").asText()) {
                    case "up" -> Votes.UP;
                    case "down" -> Votes.DOWN;
                    default -> Votes.UNKNOWN;
                };
            }
        }
        votes.peer(address, node, verdicts);
        return null;
    }

    /** Stops the HTTP client (its selector thread) and the fetches in flight. */
    void close() {
        if (http != null) {
            http.shutdownNow();
        }
    }

    /** Each peer's last problem ("" while it answers; absent before its first fetch). */
    Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    /** Calls {@code each} with every peer's address and node name (null before it answered). */
    void forEach(BiConsumer<String, String> each) {
        for (HostPort p : peers) {
            each.accept(p.toString(), votes.node(p.toString()));
        }
    }
}
