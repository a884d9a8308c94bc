package dev.gatehouse.node;

import dev.gatehouse.demo.DemoBackend;
import dev.gatehouse.time.Ticker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real node on loopback for integration tests: backends on ephemeral ports, a config written to a
 * temp file with {@code ${be1}}, {@code ${be2}}... replaced by their addresses, listeners on port 0.
 */
public final class TestNode implements AutoCloseable {

    public final List<DemoBackend> backends = new ArrayList<>();
    public final Path configFile;
    public final Node node;

    private TestNode(List<DemoBackend> backends, Path configFile, Node node) {
        this.backends.addAll(backends);
        this.configFile = configFile;
        this.node = node;
    }

    /** Starts {@code backendCount} backends named be1.., then a node from {@code yaml}. */
    public static TestNode start(Path dir, int backendCount, String yaml) throws Exception {
        List<DemoBackend> backends = new ArrayList<>();
        for (int i = 1; i <= backendCount; i++) {
            backends.add(DemoBackend.start("127.0.0.1", 0, "be" + i));
        }
        Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, substitute(yaml, backends));
        try {
            return new TestNode(backends, file, Node.start(file, Ticker.system()));
        } catch (Exception e) {
            backends.forEach(DemoBackend::close);
            throw e;
        }
    }

    public static String substitute(String yaml, List<DemoBackend> backends) {
        String out = yaml;
        for (int i = backends.size(); i >= 1; i--) {
            out = out.replace("${be" + i + "}", "127.0.0.1:" + backends.get(i - 1).port());
        }
        return out;
    }

    /** Rewrites the config file (placeholders substituted) for a reload. */
    public void rewrite(String yaml) throws IOException {
        Files.writeString(configFile, substitute(yaml, backends));
    }

    public InetSocketAddress listener(String name) {
        return node.listenerAddress(name);
    }

    public String url(String listener, String path) {
        InetSocketAddress a = listener(listener);
        return "http://127.0.0.1:" + a.getPort() + path;
    }

    public DemoBackend backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    /** The state (healthy, ejected...) that {@code /api/v1/status} shows for the endpoint at {@code address}. */
    public String endpointState(String address) {
        return node.status().pools().stream().flatMap(p -> p.endpoints().stream())
                .filter(e -> e.address().equals(address)).findFirst().orElseThrow().state();
    }

    /** {@code gatehouse_upstream_errors_total} of pool web's endpoint {@code address}, for {@code kind} (connect, timeout, reset). */
    public long upstreamErrors(String address, String kind) {
        Matcher m = Pattern.compile("(?m)^gatehouse_upstream_errors_total\\{endpoint=\"" + Pattern.quote(address)
                + "\",kind=\"" + kind + "\",pool=\"web\"} (\\S+)$").matcher(node.metrics());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    @Override
    public void close() {
        node.close();
        backends.forEach(DemoBackend::close);
    }

    /** The sum of the samples of metric {@code name} (Prometheus text {@code metrics}) whose labels include all of {@code labels}. */
    public static double metricSum(String metrics, String name, String... labels) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(metrics);
        outer:
        while (m.find()) {
            for (String label : labels) {
                if (!m.group(1).contains(label)) {
                    continue outer;
                }
            }
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }
}
