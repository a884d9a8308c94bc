package dev.gatehouse.guard;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resets this JVM's cluster and BGP connections the moment it dies, so that its peers and routers learn of the
 * death at once instead of after the kernel has torn down the dead JVM's memory (which it does before it closes
 * the sockets: 50-700 ms after a kill -9 for a heap of a few GiB). The cluster then grants a dead owner's VIP at
 * once, and a router withdraws a dead node's routes at once.
 *
 * <p>A {@link Guards guard} holds the local ends of the tracked connections, rewritten on every change, and on
 * the death signal runs {@code ss -K} (SOCK_DESTROY: the kernel aborts each socket and sends its peer a RST) for
 * exactly those, established ones only. A death is never guessed: a frozen or stopped JVM keeps its connections,
 * and BFD or the lease decides. Without CAP_NET_ADMIN {@code ss -K} does nothing and the sockets close as before.
 */
public final class ExitReset {

    private static final Logger LOG = LoggerFactory.getLogger(ExitReset.class);

    /**
     * Keeps the last filter read from the pipe; on the death signal or the pipe's end it resets what the filter
     * names. An empty filter resets nothing ({@code ss -K} without one would reset every socket of the host).
     */
    private static final String KEEP_FILTER = "f=(); while read -r -a next; do f=(\"${next[@]}\"); done";
    private static final String RESET = "if [ ${#f[@]} -gt 0 ]; then ss -K -t -n state established \"${f[@]}\"; fi; exit 0";

    /** Local ends tracked, each with how many open connections share it (those accepted on one port do). */
    private static final Map<String, Integer> ENDS = new TreeMap<>();
    private static OutputStream guard;
    private static boolean unavailable;

    private ExitReset() {
    }

    /** A tracked connection: close it when the connection has ended. */
    public interface Tracked extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Starts the guard now, tracking nothing yet: at a node's start, so that the first tracked connection (a BGP
     * session's, on its event loop) does not wait for a process to start.
     */
    public static synchronized void start() {
        tell();
    }

    /** Tracks a connection by its local end until {@link Tracked#close}; an unbound socket tracks nothing. */
    public static Tracked track(SocketAddress local) {
        if (!(local instanceof InetSocketAddress end) || end.getAddress() == null || end.getPort() == 0) {
            return () -> { };
        }
        String source = source(end);
        change(source, 1);
        return new Tracked() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    change(source, -1);
                }
            }
        };
    }

    /** How {@code ss} names a local end: {@code src 192.0.2.1:179}, {@code src [2001:db8::1]:179}. */
    static String source(InetSocketAddress end) {
        String address = end.getAddress().getHostAddress();
        int scope = address.indexOf('%');
        if (scope >= 0) {
            address = address.substring(0, scope);
        }
        return "src " + (end.getAddress() instanceof Inet6Address ? "[" + address + "]" : address) + ":" + end.getPort();
    }

    /** The filter for {@code ss}: {@code ( src A or src B )}, or nothing. */
    static String filter(Iterable<String> sources) {
        StringBuilder filter = new StringBuilder();
        for (String source : sources) {
            filter.append(filter.isEmpty() ? "( " : " or ").append(source);
        }
        return filter.isEmpty() ? "" : filter.append(" )").toString();
    }

    private static synchronized void change(String source, int by) {
        ENDS.merge(source, by, (a, b) -> a + b == 0 ? null : a + b);
        tell();
    }

    /** Tells the guard (started first, if it was not) the filter of what is tracked now. */
    private static void tell() {
        if (unavailable) {
            return;
        }
        try {
            if (guard == null) {
                guard = Guards.start(KEEP_FILTER, RESET, List.of()).getOutputStream();
            }
            guard.write((filter(ENDS.keySet()) + "\n").getBytes(StandardCharsets.US_ASCII));
            guard.flush();
        } catch (IOException e) {
            unavailable = true;
            LOG.warn("no exit guard ({}): after a crash, peers and routers learn of it only when the kernel closes its"
                    + " sockets", e.toString());
        }
    }
}
