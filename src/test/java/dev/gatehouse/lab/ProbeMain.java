package dev.gatehouse.lab;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.locks.LockSupport;

/**
 * The lab's client: {@code ProbeMain URL COUNT INTERVAL_MS TIMEOUT_MS} starts a new HTTP/1.1 request on a new
 * connection every INTERVAL_MS (on schedule, whatever the earlier ones are doing), COUNT in all, each given at
 * most TIMEOUT_MS, after a few warm-up requests that are not reported. Prints {@code start NANOS}, then one {@code req START_NANOS LATENCY_NANOS OUTCOME DETAIL} line
 * per request as it ends, then a summary and {@code done}. Outcomes: ok (detail: the first word of the body),
 * status (detail: the code), refused, reset, timeout, unreachable (ARP got no answer), error.
 */
public final class ProbeMain {

    private static final int WARM_UP = 20;

    private ProbeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: ProbeMain URL COUNT INTERVAL_MS TIMEOUT_MS");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        int count = Integer.parseInt(args[1]);
        Duration interval = Duration.ofMillis(Long.parseLong(args[2]));
        int timeoutMillis = Integer.parseInt(args[3]);
        InetSocketAddress target = new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
        byte[] request = ("GET " + (url.getRawPath().isEmpty() ? "/" : url.getRawPath()) + " HTTP/1.1\r\nHost: "
                + url.getHost() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        List<Thread> running = new ArrayList<>(count);
        List<ProbeReport.Request> done = Collections.synchronizedList(new ArrayList<>(count));
        // A cold JVM stalls its first requests for a few hundred ms (class loading, JIT): warm up off the record.
        for (int i = 0; i < WARM_UP; i++) {
            request(target, request, timeoutMillis);
        }
        long t0 = System.nanoTime();
        System.out.println("start " + t0);
        for (int i = 0; i < count; i++) {
            long due = t0 + i * interval.toNanos();
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            running.add(Thread.ofVirtual().start(() -> {
                ProbeReport.Request r = request(target, request, timeoutMillis);
                done.add(r);
                System.out.println(r.line());
            }));
        }
        for (Thread t : running) {
            t.join();
        }
        System.out.println("summary " + new ProbeReport(List.copyOf(done), interval).summary());
        System.out.println("done");
    }

    private static ProbeReport.Request request(InetSocketAddress target, byte[] request, int timeoutMillis) {
        long start = System.nanoTime();
        String outcome;
        String detail = "";
        try (Socket socket = new Socket()) {
            socket.connect(target, timeoutMillis);
            socket.setSoTimeout(Math.max(1, timeoutMillis - (int) ((System.nanoTime() - start) / 1_000_000)));
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            String response = readAll(socket.getInputStream());
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

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
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
