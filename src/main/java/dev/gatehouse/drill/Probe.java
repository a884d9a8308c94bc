package dev.gatehouse.drill;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * What a client sees during a failover: a new connection and HTTP/1.1 request every {@code interval}, sent on
 * schedule whatever the earlier ones are doing (each on its own virtual thread), at most {@code count}, each
 * given at most {@code timeout}. Outcomes: ok (detail: the first word of the body), status (detail: the
 * code), refused, reset, timeout, unreachable (no ARP answer), error.
 */
public final class Probe {

    private final InetSocketAddress target;
    private final byte[] request;
    private final int timeoutMillis;
    private final Duration interval;
    private final int count;
    private final Consumer<ProbeReport.Request> onEach;
    private final List<ProbeReport.Request> done = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final long startedAt;
    private Thread pacer;
    private volatile boolean running = true;

    private Probe(URI url, int count, Duration interval, Duration timeout, Consumer<ProbeReport.Request> onEach) {
        this.target = new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
        this.request = ("GET " + (url.getRawPath().isEmpty() ? "/" : url.getRawPath()) + " HTTP/1.1\r\nHost: " + url.getHost()
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.timeoutMillis = (int) timeout.toMillis();
        this.interval = interval;
        this.count = count;
        this.onEach = onEach;
        this.startedAt = System.nanoTime();
    }

    /** Starts probing {@code url}; {@code onEach} hears of every request as it ends. */
    public static Probe start(URI url, int count, Duration interval, Duration timeout, Consumer<ProbeReport.Request> onEach) {
        Probe probe = new Probe(url, count, interval, timeout, onEach);
        probe.pacer = Thread.ofPlatform().name("probe-pacer").daemon().start(probe::pace);
        return probe;
    }

    /** A cold JVM stalls its first requests for a few hundred ms (class loading, JIT): send some off the record. */
    public static void warmUp(URI url, int requests, Duration timeout) {
        Probe p = new Probe(url, 0, Duration.ZERO, timeout, r -> { });
        for (int i = 0; i < requests; i++) {
            p.send(System.nanoTime());
        }
    }

    /** System.nanoTime when the first request was due. */
    public long startedAt() {
        return startedAt;
    }

    private void pace() {
        for (int i = 0; i < count && running; i++) {
            long due = startedAt + i * interval.toNanos();
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            requests.execute(() -> {
                ProbeReport.Request r = send(System.nanoTime());
                done.add(r);
                onEach.accept(r);
            });
        }
    }

    /** Waits until every request was sent and answered. */
    public ProbeReport await() throws InterruptedException {
        pacer.join();
        return finish();
    }

    /** Stops sending, waits for the requests in flight, and reports. */
    public ProbeReport stop() throws InterruptedException {
        running = false;
        return await();
    }

    private ProbeReport finish() {
        requests.close();
        synchronized (done) {
            return new ProbeReport(List.copyOf(done), interval);
        }
    }

    private ProbeReport.Request send(long start) {
        String outcome;
        String detail = "";
        try (Socket socket = new Socket()) {
            socket.connect(target, timeoutMillis);
            socket.setSoTimeout(Math.max(1, timeoutMillis - (int) ((System.nanoTime() - start) / 1_000_000)));
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int status = statusOf(response);
            int body = response.indexOf("\r\n\r\n");
            if (status >= 200 && status < 400) {
                outcome = "ok";
                detail = body < 0 ? "" : firstWord(response.substring(body + 4));
            } else {
                outcome = "status";
                detail = Integer.toString(status);
            }
        } catch (ConnectException e) {
            outcome = "refused";
        } catch (NoRouteToHostException e) {
            outcome = "unreachable";
        } catch (SocketTimeoutException e) {
            outcome = "timeout";
        } catch (IOException e) {
            outcome = e.getMessage() != null && e.getMessage().contains("reset") ? "reset" : "error";
            detail = String.valueOf(e.getMessage()).replace(' ', '_');
        }
        return new ProbeReport.Request(start, System.nanoTime() - start, outcome, detail);
    }

    private static int statusOf(String response) {
        String[] first = response.split(" ", 3);
        try {
            return first.length >= 2 ? Integer.parseInt(first[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String firstWord(String body) {
        String trimmed = body.strip();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }
}
