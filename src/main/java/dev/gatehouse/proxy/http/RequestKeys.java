package dev.gatehouse.proxy.http;

import dev.gatehouse.balance.HashKeys;
import dev.gatehouse.config.HashOn;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.proxy.http.codec.RequestHead;
import java.util.concurrent.ThreadLocalRandom;

/** How a request chooses its endpoint: its hash key and its sticky cookie. */
final class RequestKeys {

    private RequestKeys() {}

    /** The request's hash key for {@code hashOn}; a random one when the request lacks the header, cookie or path. */
    static long hash(HashOn hashOn, RequestHead request, long sourceHash) {
        CharSequence value = switch (hashOn.kind()) {
            case SOURCE_IP -> null;
            case HEADER -> request.header(hashOn.name());
            case COOKIE -> request.cookie(hashOn.name());
            case PATH -> request.path();
        };
        if (hashOn.kind() == HashOn.Kind.SOURCE_IP) {
            return sourceHash;
        }
        return value == null ? ThreadLocalRandom.current().nextLong() : HashKeys.of(value);
    }

    /** The serving endpoint a sticky cookie names, or null when it names none (or a gone/unhealthy one). */
    static Endpoint sticky(PoolView view, CharSequence cookie) {
        if (cookie == null || cookie.length() != 16) {
            return null;
        }
        long key = 0;
        for (int i = 0; i < 16; i++) {
            int d = Character.digit(cookie.charAt(i), 16);
            if (d < 0) {
                return null;
            }
            key = key << 4 | d;
        }
        for (EndpointStatus s : view.endpoints()) {
            if (s.endpoint().key() == key && s.state().serving()) {
                return s.endpoint();
            }
        }
        return null;
    }

    /** The cookie that pins a client to {@code endpoint}: its address-derived key, equal on every node. */
    static String stickyHeader(PoolConfig pool, Endpoint endpoint) {
        return "Set-Cookie: " + pool.stickyCookie() + "=" + cookieValue(endpoint) + "; Path=/; HttpOnly";
    }

    static String cookieValue(Endpoint endpoint) {
        String hex = Long.toHexString(endpoint.key());
        return "0".repeat(16 - hex.length()) + hex;
    }
}
