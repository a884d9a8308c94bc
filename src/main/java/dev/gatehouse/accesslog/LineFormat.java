package dev.gatehouse.accesslog;

import dev.gatehouse.config.AccessLogConfig;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes an {@link Entry} as one line: a JSON object with fixed field names, or the same fields in the same order
 * separated by spaces, {@code -} for a value that does not apply. Runs on the writer's thread, into its one builder.
 */
final class LineFormat {

    private static final DateTimeFormatter SECOND =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

    private final boolean json;
    /** The time up to its second, formatted once per second rather than once per line. */
    private long second = Long.MIN_VALUE;
    private String secondText;

    LineFormat(AccessLogConfig.Format format) {
        this.json = format == AccessLogConfig.Format.JSON;
    }

    /** {@code e} as one line, newline included, into {@code sb} (cleared first). */
    void format(Entry e, StringBuilder sb) {
        sb.setLength(0);
        if (json) {
            sb.append('{');
        }
        field(sb, "time", true);
        quote(sb);
        time(sb, e.timeMillis());
        quote(sb);
        field(sb, "client", false);
        client(sb, e.client());
        field(sb, "listener", false);
        string(sb, e.listener());
        field(sb, "route", false);
        number(sb, e.route());
        field(sb, "pool", false);
        string(sb, e.pool());
        field(sb, "endpoint", false);
        string(sb, e.endpoint());
        field(sb, "status", false);
        number(sb, e.status() == 0 ? -1 : e.status());
        field(sb, "bytes_in", false);
        sb.append(e.bytesIn());
        field(sb, "bytes_out", false);
        sb.append(e.bytesOut());
        field(sb, "connect_ms", false);
        millis(sb, e.connectNanos());
        field(sb, "first_byte_ms", false);
        millis(sb, e.firstByteNanos());
        field(sb, "total_ms", false);
        millis(sb, e.totalNanos());
        field(sb, "retries", false);
        sb.append(e.retries());
        field(sb, "termination", false);
        string(sb, e.termination().code());
        sb.append(json ? "}\n" : "\n");
    }

    /** {@code 2026-12-06T22:50:01.123Z} */
    private void time(StringBuilder sb, long millis) {
        long s = Math.floorDiv(millis, 1000);
        if (s != second) {
            second = s;
            secondText = SECOND.format(Instant.ofEpochSecond(s));
        }
        int ms = (int) Math.floorMod(millis, 1000);
        sb.append(secondText).append(ms < 100 ? (ms < 10 ? "00" : "0") : "").append(ms).append('Z');
    }

    private void field(StringBuilder sb, String name, boolean first) {
        if (json) {
            sb.append(first ? "\"" : ",\"").append(name).append("\":");
        } else if (!first) {
            sb.append(' ');
        }
    }

    /** A string's quote, in JSON; text has none. */
    private void quote(StringBuilder sb) {
        if (json) {
            sb.append('"');
        }
    }

    private void client(StringBuilder sb, InetSocketAddress client) {
        if (client == null) {
            absent(sb);
            return;
        }
        quote(sb);
        boolean v6 = client.getAddress() instanceof Inet6Address;
        sb.append(v6 ? "[" : "").append(client.getAddress().getHostAddress()).append(v6 ? "]:" : ":").append(client.getPort());
        quote(sb);
    }

    /** Names, addresses and codes: escaped for JSON all the same, though none the config accepts needs it. */
    private void string(StringBuilder sb, String s) {
        if (s == null) {
            absent(sb);
            return;
        }
        quote(sb);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || (!json && c == ' ')) {
                sb.append(json ? "\\u00" : "%").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                sb.append(c);
            }
        }
        quote(sb);
    }

    private void number(StringBuilder sb, int n) {
        if (n < 0) {
            absent(sb);
        } else {
            sb.append(n);
        }
    }

    /** Nanoseconds as milliseconds with three decimals (microseconds). */
    private void millis(StringBuilder sb, long nanos) {
        if (nanos < 0) {
            absent(sb);
            return;
        }
        long micros = nanos / 1000;
        long frac = micros % 1000;
        sb.append(micros / 1000).append('.');
        if (frac < 100) {
            sb.append(frac < 10 ? "00" : "0");
        }
        sb.append(frac);
    }

    private void absent(StringBuilder sb) {
        sb.append(json ? "null" : "-");
    }
}
