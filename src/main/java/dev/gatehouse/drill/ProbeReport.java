package dev.gatehouse.drill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client saw during a probe: one {@link Request} per HTTP request, in start order.
 *
 * <p>A request is <em>bad</em> when it failed (refused, reset, timed out, unreachable, a status of 400 or more)
 * or took longer than {@link #DELAYED}. The outage is the longest run of consecutive bad requests, from the start
 * of its first request to the start of the next good one: how long a new request could not be served promptly.
 * How long the unlucky ones waited (a lost SYN is retried after 1 s) shows in {@link #delayed()} and the
 * requests' latencies, not in the outage.
 */
public record ProbeReport(List<Request> requests, Duration interval) {

    public static final Duration DELAYED = Duration.ofMillis(200);

    /** One request: when it started (System.nanoTime of the probe, shared by every process on the host). */
    public record Request(long startNanos, long latencyNanos, String outcome, String detail) {

        public boolean ok() {
            return outcome.equals("ok");
        }

        /** Failed, or slower than {@link ProbeReport#DELAYED}. */
        public boolean bad() {
            return !ok() || latencyNanos > DELAYED.toNanos();
        }

        /** The request as one text line ({@code req START LATENCY OUTCOME DETAIL}), as the lab's probe process prints it. */
        public String line() {
            return "req " + startNanos + " " + latencyNanos + " " + outcome + " " + detail;
        }

        public static Request parse(String line) {
            String[] f = line.split(" ", 5);
            return new Request(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3], f.length > 4 ? f[4] : "");
        }
    }

    public ProbeReport {
        requests = requests.stream().sorted(Comparator.comparingLong(Request::startNanos)).toList();
    }

    /** The report of a probe process's output lines; lines other than requests are skipped. */
    public static ProbeReport parse(List<String> lines, Duration interval) {
        List<Request> requests = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("req ")) {
                requests.add(Request.parse(line));
            }
        }
        return new ProbeReport(requests, interval);
    }

    public long failed() {
        return requests.stream().filter(r -> !r.ok()).count();
    }

    public long delayed() {
        return requests.stream().filter(r -> r.ok() && r.bad()).count();
    }

    public long outageMillis() {
        long longest = 0;
        int i = 0;
        while (i < requests.size()) {
            if (!requests.get(i).bad()) {
                i++;
                continue;
            }
            long from = requests.get(i).startNanos();
            int j = i;
            while (j < requests.size() && requests.get(j).bad()) {
                j++;
            }
            long next = j < requests.size() ? requests.get(j).startNanos()
                    : requests.getLast().startNanos() + interval.toNanos();
            longest = Math.max(longest, next - from);
            i = j;
        }
        return Duration.ofNanos(longest).toMillis();
    }

    /** How many requests each outcome had; good answers are counted by the body they carried (e.g. the node). */
    public Map<String, Long> outcomes() {
        Map<String, Long> counts = new TreeMap<>();
        for (Request r : requests) {
            counts.merge(r.ok() ? "ok " + r.detail() : r.outcome(), 1L, Long::sum);
        }
        return counts;
    }

    public String summary() {
        return "requests=" + requests.size() + " failed=" + failed() + " delayed=" + delayed() + " outage_ms="
                + outageMillis() + " outcomes=" + outcomes();
    }
}
