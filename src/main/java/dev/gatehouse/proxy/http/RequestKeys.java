package dev.gatehouse.proxy.http;

import dev.gatehouse.balance.HashKeys;
import dev.gatehouse.config.HashOn;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.proxy.EndpointPicker;
import dev.gatehouse.proxy.http.codec.RequestHead;
import dev.gatehouse.stick.StickTable;
import java.util.concurrent.ThreadLocalRandom;

/** How a request chooses its endpoint: its affinity and hash keys, its sticky cookie. */
final class RequestKeys {

    private RequestKeys() {}

    /** The request's affinity key for {@code hashOn}, or {@link StickTable#NONE} when it lacks the header or cookie. */
    static long key(HashOn hashOn, RequestHead request, long sourceHash) {
        CharSequence value = switch (hashOn.kind()) {
            case SOURCE_IP -> null;
            case HEADER -> request.header(hashOn.name());
            case COOKIE -> request.cookie(hashOn.name());
            case PATH -> request.path();
        };
        if (hashOn.kind() == HashOn.Kind.SOURCE_IP) {
            return sourceHash;
        }
        return value == null ? StickTable.NONE : HashKeys.of(value);
    }

    /** The hash a hashing balancer picks by: the affinity key, or a random one when there is none. */
    static long hash(long key) {
        return key != StickTable.NONE ? key : ThreadLocalRandom.current().nextLong();
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
        return EndpointPicker.serving(view, key);
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
