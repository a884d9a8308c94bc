package dev.gatehouse.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows, for the lab's VIP, which hosts hold the address and which MAC the client's ARP entry points at. Rather
 * than polling every few milliseconds it listens to the kernel's own change notifications ({@code ip monitor
 * address} in each holder, {@code ip monitor neigh} in the client), so every change is seen, however short, and
 * stamped with System.nanoTime when it arrives (well under a millisecond late).
 *
 * <p>A <em>dual-owner instant</em> is a stretch of time during which two or more hosts held the address at once.
 * The state each monitor starts from is read once after it starts; the tests start watching before they change
 * anything, so no change can slip between the two.
 */
public final class DualOwnerSampler implements AutoCloseable {

    private static final Pattern VIP_ADDRESS = Pattern.compile("^(Deleted )?\\d+: \\S+\\s+inet "
            + Pattern.quote(Lab.VIP) + "/");
    private static final Pattern VIP_NEIGH = Pattern.compile("^(Deleted )?(miss )?" + Pattern.quote(Lab.VIP)
            + " dev \\S+(?: lladdr ([0-9a-f:]{17}))?");

    private final Map<String, Timeline<Boolean>> held = new HashMap<>();
    private final Timeline<String> clientMac = new Timeline<>();
    private final List<Process> monitors = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    private DualOwnerSampler() {
    }

    static DualOwnerSampler start(Lab lab, List<String> holders) {
        DualOwnerSampler sampler = new DualOwnerSampler();
        try {
            for (String host : holders) {
                Timeline<Boolean> timeline = new Timeline<>();
                sampler.held.put(host, timeline);
                sampler.follow(host, "address", line -> {
                    Matcher m = VIP_ADDRESS.matcher(line);
                    if (m.find()) {
                        timeline.add(System.nanoTime(), m.group(1) == null);
                    }
                });
                boolean holdsNow = lab.exec(host, "ip", "-br", "addr", "show", "dev", "eth0")
                        .contains(" " + Lab.VIP + "/");
                timeline.initial(System.nanoTime(), holdsNow);
            }
            sampler.follow("client", "neigh", line -> {
                Matcher m = VIP_NEIGH.matcher(line);
                if (m.find()) {
                    sampler.clientMac.add(System.nanoTime(), m.group(1) == null ? m.group(3) : null);
                }
            });
            Matcher now = Pattern.compile("lladdr ([0-9a-f:]{17})")
                    .matcher(lab.exec("client", "ip", "neigh", "show", Lab.VIP));
            sampler.clientMac.initial(System.nanoTime(), now.find() ? now.group(1) : null);
        } catch (RuntimeException e) {
            sampler.close();
            throw e;
        }
        return sampler;
    }

    /** Whether {@code host} holds the VIP now. */
    public boolean holds(String host) {
        return Boolean.TRUE.equals(timeline(host).valueAt(System.nanoTime()));
    }

    /** The first instant at or after {@code fromNanos} at which {@code host} held the VIP. */
    public OptionalLong firstHeld(String host, long fromNanos) {
        return timeline(host).firstFrom(fromNanos, Boolean.TRUE::equals);
    }

    /** The first instant at or after {@code fromNanos} at which {@code host} no longer held the VIP. */
    public OptionalLong firstGone(String host, long fromNanos) {
        return timeline(host).firstFrom(fromNanos, h -> !Boolean.TRUE.equals(h));
    }

    /** The first instant at or after {@code fromNanos} at which the client's ARP entry for the VIP was {@code mac}. */
    public OptionalLong clientPointsTo(String mac, long fromNanos) {
        return clientMac.firstFrom(fromNanos, mac::equals);
    }

    /** The last notification before {@code beforeNanos} that {@code host} held the VIP (its last add or renewal). */
    public OptionalLong lastHeldBefore(String host, long beforeNanos) {
        return timeline(host).entries().stream().filter(e -> e.nanos() < beforeNanos && Boolean.TRUE.equals(e.value()))
                .mapToLong(Timeline.Entry::nanos).max();
    }

    /** The MAC the client's ARP entry for the VIP holds now (null: no entry). */
    public String clientMac() {
        return clientMac.valueAt(System.nanoTime());
    }

    /** How many separate stretches of time two or more hosts held the VIP at once. */
    public int dualOwnerInstants() {
        return dualOwnerStretches().size();
    }

    /** Those stretches in all, in milliseconds (an open stretch counts up to now). */
    public long dualOwnerMillis() {
        long total = 0;
        for (long[] s : dualOwnerStretches()) {
            total += s[1] - s[0];
        }
        return Duration.ofNanos(total).toMillis();
    }

    public String summary() {
        return "dual_owner_instants=" + dualOwnerInstants() + " dual_owner_ms=" + dualOwnerMillis() + " client_mac="
                + clientMac();
    }

    private List<long[]> dualOwnerStretches() {
        record Change(long nanos, String host, boolean holds) {}
        List<Change> changes = new ArrayList<>();
        held.forEach((host, timeline) -> timeline.entries().forEach(
                e -> changes.add(new Change(e.nanos(), host, Boolean.TRUE.equals(e.value())))));
        changes.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
        List<long[]> stretches = new ArrayList<>();
        Set<String> holders = new HashSet<>();
        long since = -1;
        for (Change c : changes) {
            if (c.holds()) {
                holders.add(c.host());
            } else {
                holders.remove(c.host());
            }
            if (holders.size() >= 2 && since < 0) {
                since = c.nanos();
            } else if (holders.size() < 2 && since >= 0) {
                stretches.add(new long[] {since, c.nanos()});
                since = -1;
            }
        }
        if (since >= 0) {
            stretches.add(new long[] {since, System.nanoTime()});
        }
        return stretches;
    }

    private Timeline<Boolean> timeline(String host) {
        return Objects.requireNonNull(held.get(host), () -> host + " is not watched");
    }

    private void follow(String host, String what, Consumer<String> onLine) {
        Process monitor;
        try {
            monitor = new ProcessBuilder("ip", "-n", Lab.namespace(host), "monitor", what)
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start ip monitor " + what + " in " + host, e);
        }
        monitors.add(monitor);
        readers.add(Thread.ofPlatform().daemon().name("lab-monitor-" + host).start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // the monitor was stopped
            }
        }));
    }

    @Override
    public void close() {
        for (Process monitor : monitors) {
            monitor.destroyForcibly();
        }
        for (Process monitor : monitors) {
            try {
                monitor.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A value over time: an initial value, then each change with the instant it was seen. */
    private static final class Timeline<T> {
        record Entry<T>(long nanos, T value) {}

        private final List<Entry<T>> entries = new ArrayList<>();
        private boolean changed;

        synchronized void add(long nanos, T value) {
            entries.add(new Entry<>(nanos, value));
            changed = true;
        }

        /** The state read at start; ignored when a change was already seen (it is newer). */
        synchronized void initial(long nanos, T value) {
            if (!changed) {
                entries.addFirst(new Entry<>(nanos, value));
            }
        }

        synchronized List<Entry<T>> entries() {
            return List.copyOf(entries);
        }

        synchronized T valueAt(long nanos) {
            T value = null;
            for (Entry<T> e : entries) {
                if (e.nanos() > nanos) {
                    break;
                }
                value = e.value();
            }
            return value;
        }

        synchronized OptionalLong firstFrom(long fromNanos, Predicate<T> match) {
            T before = valueAt(fromNanos);
            if (before != null && match.test(before)) {
                return OptionalLong.of(fromNanos);
            }
            for (Entry<T> e : entries) {
                if (e.nanos() > fromNanos && e.value() != null && match.test(e.value())) {
                    return OptionalLong.of(e.nanos());
                }
            }
            return OptionalLong.empty();
        }
    }
}
