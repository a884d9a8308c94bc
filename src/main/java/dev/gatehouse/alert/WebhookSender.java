package dev.gatehouse.alert;

import dev.gatehouse.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts one webhook's bodies in order from a bounded queue on a thread of its own, so a webhook that is
 * slow, down or never answers only fills its own queue: {@link #offer} never blocks, and what does not fit is
 * dropped and counted. Each post has the webhook's timeout; a failure (no connection, a timeout, 5xx, 408, 429)
 * is retried up to {@link #ATTEMPTS} times in all with doubling waits from {@code backoff}; other 4xx answers
 * are final.
 */
final class WebhookSender implements AutoCloseable {

    static final int ATTEMPTS = 4;
    static final int QUEUE = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

    private record Post(byte[] body, String event) {}

    private final URI url;
    private final Duration timeout;
    private final Signature signature;
    private final Duration backoff;
    private final BlockingQueue<Post> queue = new ArrayBlockingQueue<>(QUEUE);
    private final HttpClient http;
    private final Thread worker;
    private final Counter sent;
    private final Counter failed;
    private final Counter retried;
    private final Counter dropped;
    private volatile boolean closed;

    /**
     * @param label the webhook in metrics and logs
     * @param signature signs each body; null: unsigned
     */
    WebhookSender(URI url, Duration timeout, Signature signature, Duration backoff, String label, Metrics metrics) {
        this.url = url;
        this.timeout = timeout;
        this.signature = signature;
        this.backoff = backoff;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.sent = counter(metrics, "gatehouse_alerts_sent", "Alert posts a webhook accepted (2xx)", label);
        this.failed = counter(metrics, "gatehouse_alerts_failed", "Alert posts given up after every attempt failed or a final 4xx", label);
        this.retried = counter(metrics, "gatehouse_alerts_retried", "Alert post attempts that failed and were tried again", label);
        this.dropped = counter(metrics, "gatehouse_alerts_dropped", "Alerts dropped because the webhook's queue was full", label);
        // a platform thread: the JDK's HTTP client on virtual threads was seen to starve a second client on 2 cores
        this.worker = Thread.ofPlatform().daemon().name("alerts-" + label).start(this::run);
    }

    private static Counter counter(Metrics metrics, String name, String help, String label) {
        return Counter.builder(name).description(help).tag("webhook", label).register(metrics.registry());
    }

    /** Queues {@code body}, or drops and counts it when the queue is full. Never blocks. */
    void offer(byte[] body, String event) {
        if (!queue.offer(new Post(body, event))) {
            dropped.increment();
        }
    }

    int queued() {
        return queue.size();
    }

    private void run() {
        try {
            while (!closed) {
                deliver(queue.take());
            }
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Post post) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("X-Gatehouse-Event", post.event())
                .POST(HttpRequest.BodyPublishers.ofByteArray(post.body()));
        if (signature != null) {
            request.header(Signature.HEADER, signature.sign(post.body()));
        }
        Duration wait = backoff;
        for (int attempt = 1; ; attempt++) {
            String problem;
            boolean final4xx = false;
            try {
                int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    sent.increment();
                    return;
                }
                problem = "answered " + status;
                // the request itself is wrong: another try would get the same answer
                final4xx = status / 100 == 4 && status != 408 && status != 429;
            } catch (IOException e) {
                problem = e.toString();
            }
            if (final4xx || attempt >= ATTEMPTS) {
                failed.increment();
                LOG.warn("alert {} to {} given up after {} attempt(s): {}", post.event(), url, attempt, problem);
                return;
            }
            retried.increment();
            Thread.sleep(wait); // this webhook's own thread: the wait delays only its queue
            wait = wait.multipliedBy(2);
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        http.shutdownNow();
    }
}
