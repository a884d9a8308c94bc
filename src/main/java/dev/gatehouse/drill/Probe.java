package dev.gatehouse.drill;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * What a client sees during a failover: a new TCP connection and HTTP request to a target every
 * {@code interval}, each on its own virtual thread so a stuck one does not delay the next. Bounded by
 * count and by time; {@link #stop()} returns what every request saw.
 */
public final class Probe {

    /** One request: when it started (ns since the probe began), how long it took, and whether it got a 2xx. */
    public record Shot(long startNanos, long tookNanos, boolean ok, String error) {}

    private final InetSocketAddress target;
    private final String host;
    private final Duration interval;
    private final Duration timeout;
    private final int maxShots;
    private final List<Shot> shots = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread pacer;
    private final long began = System.nanoTime();
    private volatile boolean running = true;

    private Probe(InetSocketAddress target, Duration interval, Duration timeout, int maxShots) {
        this.target = target;
        this.host = target.getHostString() + ":" + target.getPort();
        this.interval = interval;
        this.timeout = timeout;
        this.maxShots = maxShots;
        this.pacer = Thread.ofPlatform().name("probe-pacer").daemon().start(this::pace);
    }

    /** Starts probing {@code target}; at most {@code maxShots} requests. */
    public static Probe start(InetSocketAddress target, Duration interval, Duration timeout, int maxShots) {
        return new Probe(target, interval, timeout, maxShots);
    }

    private void pace() {
        long next = System.nanoTime();
        for (int i = 0; i < maxShots && running; i++) {
            long start = next;
            threads.execute(() -> shots.add(shoot(start)));
            next += interval.toNanos();
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    private Shot shoot(long start) {
        try (Socket s = new Socket()) {
            int ms = (int) timeout.toMillis();
            s.connect(target, ms);
            s.setSoTimeout(ms);
            OutputStream out = s.getOutputStream();
            out.write(("GET /probe HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] status = in.readNBytes(12);
            String line = new String(status, StandardCharsets.US_ASCII);
            in.transferTo(OutputStream.nullOutputStream());
            boolean ok = line.startsWith("HTTP/1.") && line.charAt(9) == '2';
            return new Shot(start - began, System.nanoTime() - start, ok, ok ? null : "status " + line.trim());
        } catch (IOException e) {
            return new Shot(start - began, System.nanoTime() - start, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Stops sending, waits for requests in flight, and summarises. */
    public ProbeReport stop() {
        running = false;
        try {
            pacer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.close();
        List<Shot> all;
        synchronized (shots) {
            all = new ArrayList<>(shots);
        }
        return ProbeReport.of(all, interval);
    }
}
