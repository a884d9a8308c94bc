package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code listeners:}, checking their pool and VIP references and their bind addresses. */
final class ListenersSection {

    private static final Duration DEFAULT_HEADER_READ = Duration.ofSeconds(10);
    private static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
    private static final int DEFAULT_MAX_HEADER_SIZE = 32 * 1024;
    private static final long MIN_HEADER_SIZE = 1024;
    private static final long MAX_HEADER_SIZE = 1024 * 1024;

    private final Set<String> pools;
    private final Map<String, String> vipAddresses;
    private final BindTable binds;
    private final Path baseDir;

    /**
     * @param pools the names of every pool defined
     * @param vipAddresses VIP name to address; null when there is no cluster section
     * @param baseDir where relative certificate paths are resolved and read; null to read no file
     */
    ListenersSection(Set<String> pools, Map<String, String> vipAddresses, BindTable binds, Path baseDir) {
        this.pools = pools;
        this.vipAddresses = vipAddresses;
        this.binds = binds;
        this.baseDir = baseDir;
    }

    List<ListenerConfig> read(YamlNode root) {
        List<ListenerConfig> listeners = new ArrayList<>();
        Duplicates<String> names = new Duplicates<>("listener name");
        for (YamlNode l : root.list("listeners")) {
            if (!l.expectKeys("name", "bind", "protocol", "routes", "pool", "limits", "timeouts", "max_header_size",
                    "tls", "access_log", "h2c")) {
                continue;
            }
            String name = l.require("name", Names::identifier);
            names.check(name, l.get("name"));
            Protocol protocol = l.get("protocol", Values.oneOf(Protocol.class), Protocol.HTTP);
            YamlNode timeouts = l.get("timeouts");
            boolean timeoutsOk = timeouts != null && timeouts.expectKeys("header_read", "idle");
            listeners.add(new ListenerConfig(
                    name,
                    bind(l, name),
                    protocol,
                    protocol == Protocol.HTTP ? httpRoutes(l) : List.of(),
                    protocol == Protocol.TCP ? tcpPool(l) : null,
                    LimitsSection.read(l.get("limits")),
                    timeoutsOk ? timeouts.get("header_read", Values.POSITIVE_DURATION, DEFAULT_HEADER_READ) : DEFAULT_HEADER_READ,
                    timeoutsOk ? timeouts.get("idle", Values.POSITIVE_DURATION, DEFAULT_IDLE) : DEFAULT_IDLE,
                    l.get("max_header_size", ListenersSection::headerSize, DEFAULT_MAX_HEADER_SIZE),
                    TlsSection.read(l.get("tls"), baseDir),
                    AccessLogSection.read(l.get("access_log"), baseDir),
                    h2c(l, protocol)));
        }
        return listeners;
    }

    /** {@code h2c: true}: HTTP/2 by prior knowledge, on a cleartext HTTP listener only. */
    private static boolean h2c(YamlNode listener, Protocol protocol) {
        boolean on = listener.get("h2c", Values.BOOL, false);
        if (on && protocol != Protocol.HTTP) {
            listener.get("h2c").error("HTTP/2 needs an http listener");
            return false;
        }
        if (on && listener.has("tls")) {
            listener.get("h2c").error("h2c is HTTP/2 without TLS; on a TLS listener list h2 in tls.alpn");
            return false;
        }
        return on;
    }

    private Bind bind(YamlNode listener, String name) {
        Bind bind = listener.require("bind", Addresses::bind);
        if (bind == null) {
            return null;
        }
        YamlNode at = listener.get("bind");
        HostPort address = bind.address();
        if (bind.isVip()) {
            if (vipAddresses == null) {
                at.error("binds on VIP '" + bind.vip() + "' but there is no cluster section to define it");
                return bind;
            }
            if (!vipAddresses.containsKey(bind.vip())) {
                at.error("no VIP named '" + bind.vip() + "' in cluster.vips" + Suggestions.didYouMean(bind.vip(), vipAddresses.keySet()));
                return bind;
            }
            String vipAddress = vipAddresses.get(bind.vip());
            if (vipAddress == null) {
                return bind; // the VIP's bad address is reported where it is defined
            }
            address = new HostPort(vipAddress, bind.port());
        }
        binds.claim(address, "listener '" + name + "'", at);
        return bind;
    }

    private List<RouteConfig> httpRoutes(YamlNode listener) {
        if (listener.has("pool")) {
            listener.get("pool").keyError("an http listener sends requests by routes:, not pool: (or set protocol: tcp)");
            if (!listener.has("routes")) {
                return List.of(); // one error for one mistake
            }
        }
        return new RoutesSection(pools).read(listener);
    }

    private String tcpPool(YamlNode listener) {
        if (listener.has("routes")) {
            listener.get("routes").keyError("a tcp listener sends everything to its pool; routes apply only to http");
        }
        YamlNode at = listener.require("pool");
        return at == null ? null : poolReference(at, pools);
    }

    /** The pool name at {@code at}, with an error when no such pool is defined. */
    static String poolReference(YamlNode at, Set<String> pools) {
        String pool = at.as(Values.TEXT);
        if (pool != null && !pools.contains(pool)) {
            at.error("no pool named '" + pool + "'" + Suggestions.didYouMean(pool, pools));
        }
        return pool;
    }

    private static int headerSize(String text) {
        long size = Sizes.parse(text);
        if (size < MIN_HEADER_SIZE || size > MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("must be 1KiB..1MiB, got " + text);
        }
        return (int) size;
    }
}
