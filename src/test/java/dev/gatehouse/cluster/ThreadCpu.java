package dev.gatehouse.cluster;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM's threads, grouped by name with numbers taken out ("grpc-default-executor-#"), and its
 * collectors' pause time: where a phase of {@link RenewalLatency} spent its CPU.
 */
record ThreadCpu(long wallNanos, Map<String, Long> byGroup, long gcMillis) {

    private static final int SHOWN = 8;

    static ThreadCpu now() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> groups = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            long cpu = info == null ? -1 : threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                groups.merge(group(info.getThreadName()), cpu, Long::sum);
            }
        }
        long gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        return new ThreadCpu(System.nanoTime(), groups, gc);
    }

    /** One line: the process's CPU per second of the phase, its collectors' pauses, the busiest thread groups. */
    String since(ThreadCpu before) {
        double seconds = (wallNanos - before.wallNanos) / 1e9;
        Map<String, Long> delta = new HashMap<>();
        byGroup.forEach((g, cpu) -> delta.put(g, cpu - before.byGroup.getOrDefault(g, 0L)));
        long total = delta.values().stream().mapToLong(Long::longValue).sum();
        String top = delta.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(SHOWN)
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / 1e6 / seconds))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "CPU %.0f ms/s (threads that ended not counted), GC pauses %.0f ms/s; busiest, ms/s: %s",
                total / 1e6 / seconds, (gcMillis - before.gcMillis) / seconds, top);
    }

    private static String group(String name) {
        return name.replaceAll("group-[0-9A-F]+", "group").replaceAll("(?<=[-_#@ ])\\d+", "#");
    }
}
