package dev.gatehouse.proxy.http;

import dev.gatehouse.accesslog.AccessLog;
import dev.gatehouse.accesslog.Entry;
import dev.gatehouse.accesslog.Termination;
import dev.gatehouse.proxy.EndpointChoice;
import java.net.InetSocketAddress;

/**
 * A request's access-log line: its figures gathered on the connection as the exchange goes (only while the
 * listener's log is on), and the line handed to the log exactly once, where the request ends: a whole response
 * relayed, the proxy's own answer, or a close that cuts it short.
 */
final class RequestLog {

    private RequestLog() {}

    /** A request head is complete: from now its figures are kept, if the log is on. */
    static void begin(ClientConnection c) {
        c.logPending = c.listener.accessLog().on();
        if (c.logPending) {
            clear(c, c.codecs.request.length());
        }
    }

    private static void clear(ClientConnection c, long headBytes) {
        c.route = -1;
        c.bytesIn = headBytes;
        c.bytesOut = 0;
        c.connectNanos = -1;
        c.firstByteNanos = -1;
    }

    /** A connect to an endpoint starts (a reused connection has none). */
    static void dialing(ClientConnection c) {
        if (c.logPending) {
            c.dialNanos = c.listener.ticker().nanos();
        }
    }

    static void connected(ClientConnection c) {
        if (c.logPending) {
            c.connectNanos = c.listener.ticker().nanos() - c.dialNanos;
        }
    }

    /** The final response head (or a 101) has arrived. */
    static void firstByte(ClientConnection c) {
        if (c.logPending) {
            c.firstByteNanos = c.listener.ticker().nanos() - c.startNanos;
        }
    }

    /**
     * The proxy answers {@code status} itself, {@code answerBytes} long. A request refused before its head was
     * complete (malformed, too slow, a connection over its cap) is logged too, with no durations.
     */
    static void answered(ClientConnection c, int status, Termination why, int answerBytes) {
        boolean early = !c.logPending;
        if (early) {
            if (!c.listener.accessLog().on()) {
                return;
            }
            c.logPending = true;
            clear(c, 0);
        }
        c.bytesOut += answerBytes;
        end(c, status, why, early);
    }

    /** The request ends with {@code status} sent for the reason {@code why}. */
    static void end(ClientConnection c, int status, Termination why) {
        end(c, status, why, false);
    }

    /** The request is cut short for the reason {@code why}: the status is the response's if it had started. */
    static void cut(ClientConnection c, Termination why) {
        if (c.logPending) {
            end(c, c.responseStarted ? c.codecs.response.status() : 0, why, false);
        }
    }

    /** The connection closed with a request in flight: its client went, or the tunnel it had become ended. */
    static void closed(ClientConnection c) {
        cut(c, c.phase == ClientConnection.Phase.TUNNEL ? Termination.NORMAL : Termination.CLIENT_CLOSED);
    }

    private static void end(ClientConnection c, int status, Termination why, boolean early) {
        if (!c.logPending) {
            return;
        }
        c.logPending = false;
        AccessLog log = c.listener.accessLog();
        if (!log.sample()) {
            return;
        }
        EndpointChoice choice = c.codecs == null ? null : c.codecs.choice;
        boolean routed = c.route >= 0 && choice != null && choice.pool() != null;
        log.submit(new Entry(log.wallMillis(), (InetSocketAddress) c.ctx.channel().remoteAddress(), log.listener(),
                c.route, routed ? choice.pool().config().name() : null,
                routed && choice.last() != null ? choice.last().address() : null, status, c.bytesIn, c.bytesOut,
                c.connectNanos, c.firstByteNanos, early ? -1 : c.listener.ticker().nanos() - c.startNanos,
                routed ? Math.max(0, choice.attempts() - 1) : 0, why));
    }
}
