package dev.gatehouse.node;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded load of GETs from real HTTP clients: at most {@code total} requests and at most
 * {@code maxTime}, over {@code concurrency} keep-alive clients. Counts answers per backend and keeps
 * every failure with its reason.
 */
public final class Load {

    public final Map<String, LongAdder> perBackend = new ConcurrentHashMap<>();
    public final List<String> failures = new CopyOnWriteArrayList<>();
    public final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();

    public int completed() {
        return done.get();
    }

    public long ok() {
        return perBackend.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long count(String backend) {
        LongAdder a = perBackend.get(backend);
        return a == null ? 0 : a.sum();
    }

    /** Runs the load to completion (blocking). */
    public static Load run(String url, int total, int concurrency, Duration maxTime) throws InterruptedException {
        Load load = new Load();
        load.runInto(url, total, concurrency, maxTime);
        return load;
    }

    /** A load started on its own thread: {@code done} completes when it has finished. */
    public record Running(Load load, java.util.concurrent.CompletableFuture<Void> done) {}

    /** Starts the load on its own thread. */
    public static Running inBackground(String url, int total, int concurrency, Duration maxTime) {
        Load load = new Load();
        return new Running(load, java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                load.runInto(url, total, concurrency, maxTime);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    public void runInto(String url, int total, int concurrency, Duration maxTime) throws InterruptedException {
        long deadline = System.nanoTime() + maxTime.toNanos();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < concurrency; c++) {
                pool.submit(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(2)).build();
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
                    while (sent.incrementAndGet() <= total && System.nanoTime() < deadline) {
                        try {
                            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                perBackend.computeIfAbsent(r.headers().firstValue("X-Backend").orElse("?"), k -> new LongAdder()).increment();
                            } else {
                                failures.add("status " + r.statusCode() + ": " + r.body().strip());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                        done.incrementAndGet();
                    }
                    client.close();
                    return null;
                });
            }
        }
    }
}
