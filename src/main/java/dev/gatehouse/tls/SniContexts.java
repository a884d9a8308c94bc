package dev.gatehouse.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A listener's certificates by the host name a client asks for (SNI): an exact name first, then a wildcard
 * ({@code *.example.com} covers one label, as RFC 6125 says), else the first certificate. Immutable: a reload builds
 * a new one, and a handshake uses the one current when its ClientHello arrived.
 */
final class SniContexts implements Mapping<String, SslContext> {

    /** One certificate and its context. */
    record Entry(CertifiedKey certified, SslContext context) {}

    private final List<Entry> entries;
    private final Map<String, SslContext> exact = new HashMap<>();
    private final Map<String, SslContext> wildcard = new HashMap<>();
    private final SslContext fallback;

    SniContexts(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        this.fallback = entries.getFirst().context();
        for (Entry e : entries) {
            for (String name : e.certified().names()) {
                if (name.startsWith("*.")) {
                    wildcard.putIfAbsent(name.substring(2), e.context()); // the first certificate listed wins a name
                } else {
                    exact.putIfAbsent(name, e.context());
                }
            }
        }
    }

    List<Entry> entries() {
        return entries;
    }

    @Override
    public SslContext map(String host) {
        if (host == null || host.isEmpty()) {
            return fallback;
        }
        String name = host.toLowerCase(Locale.ROOT);
        SslContext found = exact.get(name);
        if (found != null) {
            return found;
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            found = wildcard.get(name.substring(dot + 1));
        }
        return found != null ? found : fallback;
    }
}
