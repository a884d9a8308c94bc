package dev.gatehouse.admin;

import com.sun.net.httpserver.Headers;
import dev.gatehouse.config.AdminAccess;
import dev.gatehouse.config.AdminToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * Who may do what on the admin API. A write (any method but GET and HEAD) needs {@code Authorization: Bearer}
 * with the write token; a read needs the read or the write token when a read token is configured, else nothing;
 * {@code /healthz} is always open, for external health checkers, and so are the dashboard's static page and
 * {@code /api/v1/gslb/checks}, this node's GSLB check verdicts, for its peers.
 *
 * <p>A browser cannot forge a write: the credential is a header it sends only when a script sets it, which a
 * cross-origin script cannot do without a CORS preflight this API never grants; no cookie or other ambient
 * credential counts. A write with an {@code Origin} that is not the admin's own is refused outright, token or not.
 */
final class AdminAuth {

    /** Why a request was refused; the label of {@code gatehouse_admin_refused_total}. */
    enum Refusal {
        CROSS_ORIGIN(403, "cross-origin writes are refused"),
        WRITES_DISABLED(403, "this admin API takes no writes: node.admin has no token_file"),
        MISSING_TOKEN(401, "this needs an admin token: Authorization: Bearer TOKEN"),
        WRONG_TOKEN(401, "the admin token is wrong"),
        READ_ONLY_TOKEN(403, "the read token cannot write");

        final int status;
        final String message;

        Refusal(int status, String message) {
            this.status = status;
            this.message = message;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The outcome: the name of the token that was accepted (null: none needed), or why not. */
    record Verdict(String token, Refusal refusal) {
        static final Verdict OPEN = new Verdict(null, null);
    }

    private static final String BEARER = "Bearer ";
    static final String GSLB_CHECKS = "/api/v1/gslb/checks";

    private final AdminAccess access;
    /** Filled before the first request and only read after, so a plain map is safe across exchanges. */
    private final Map<Refusal, Counter> refusedWrites = new EnumMap<>(Refusal.class);
    private final Map<Refusal, Counter> refusedReads = new EnumMap<>(Refusal.class);

    AdminAuth(AdminAccess access, MeterRegistry registry) {
        this.access = access;
        for (Refusal r : Refusal.values()) {
            refusedWrites.put(r, counter(registry, r, "write"));
        }
        for (Refusal r : new Refusal[] {Refusal.MISSING_TOKEN, Refusal.WRONG_TOKEN}) {
            refusedReads.put(r, counter(registry, r, "read"));
        }
    }

    private static Counter counter(MeterRegistry registry, Refusal r, String request) {
        return Counter.builder("gatehouse_admin_refused").description("Admin API requests refused, by reason")
                .tag("reason", r.label()).tag("request", request).register(registry);
    }

    static boolean isWrite(String method) {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    Verdict check(String method, String path, Headers headers) {
        Verdict v = isWrite(method) ? write(headers) : read(path, headers);
        if (v.refusal != null) {
            (isWrite(method) ? refusedWrites : refusedReads).get(v.refusal).increment();
        }
        return v;
    }

    private Verdict write(Headers headers) {
        String origin = headers.getFirst("Origin");
        String host = headers.getFirst("Host");
        if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
            return refused(Refusal.CROSS_ORIGIN);
        }
        if (access.write() == null) {
            return refused(Refusal.WRITES_DISABLED);
        }
        String presented = bearer(headers);
        if (presented == null) {
            return refused(Refusal.MISSING_TOKEN);
        }
        // both compared, each in constant time, so the answer's timing does not tell which token was close
        boolean write = access.write().matches(presented);
        boolean read = access.read() != null && access.read().matches(presented);
        if (write) {
            return new Verdict(access.write().name(), null);
        }
        return refused(read ? Refusal.READ_ONLY_TOKEN : Refusal.WRONG_TOKEN);
    }

    private Verdict read(String path, Headers headers) {
        // /healthz is for external health checkers; / is the dashboard's page, which holds no data and asks for a token;
        // /api/v1/gslb/checks is for the other GSLB servers, and tells what the zone's DNS answers tell anyone
        if (access.read() == null || path.equals("/healthz") || path.equals("/") || path.equals(GSLB_CHECKS)) {
            return Verdict.OPEN;
        }
        String presented = bearer(headers);
        if (presented == null) {
            return refused(Refusal.MISSING_TOKEN);
        }
        boolean read = access.read().matches(presented);
        boolean write = access.write() != null && access.write().matches(presented);
        if (read || write) {
            return new Verdict((read ? access.read() : access.write()).name(), null);
        }
        return refused(Refusal.WRONG_TOKEN);
    }

    private static Verdict refused(Refusal r) {
        return new Verdict(null, r);
    }

    /** The token of {@code Authorization: Bearer TOKEN}; null when there is none (another scheme is none). */
    private static String bearer(Headers headers) {
        String value = headers.getFirst("Authorization");
        if (value == null || value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return value.substring(BEARER.length()).strip();
    }
}
