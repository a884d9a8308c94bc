package dev.gatehouse.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * Parses addresses as written in config: {@code host:port} (IPv4, {@code [v6]:port} or a name), IP literals,
 * CIDR blocks, and listener binds ({@code vip:NAME:PORT} or an address). Never resolves names.
 */
public final class Addresses {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[\\d.]+");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final String VIP_PREFIX = "vip:";

    private Addresses() {}

    /** {@code host:port}; an IPv6 host in brackets. */
    public static HostPort hostPort(String text) {
        return hostPort(text, false);
    }

    /**
     * An address this process listens on: as {@link #hostPort(String)}, but port 0 is allowed and means
     * an ephemeral port chosen when binding (the admin API and tests report the real one).
     */
    public static HostPort listenAddress(String text) {
        return hostPort(text, true);
    }

    private static HostPort hostPort(String text, boolean ephemeralAllowed) {
        String t = text.strip();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("must be [IPv6]:port, got '" + text + "'");
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
            ipv6(host, text);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("must be host:port, got '" + text + "'");
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("an IPv6 address needs brackets, as in [::1]:8080, got '" + text + "'");
            }
            host(host);
        }
        return new HostPort(host, ephemeralAllowed && port.strip().equals("0") ? 0 : port(port));
    }

    /** A listener bind: {@code vip:NAME:PORT} or {@code host:port}. */
    public static Bind bind(String text) {
        String t = text.strip();
        if (!t.startsWith(VIP_PREFIX)) {
            return Bind.plain(listenAddress(t));
        }
        String rest = t.substring(VIP_PREFIX.length());
        int colon = rest.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("must be vip:NAME:PORT, got '" + text + "'");
        }
        return Bind.onVip(Names.identifier(rest.substring(0, colon)), port(rest.substring(colon + 1)));
    }

    /** A TCP/UDP port, 1..65535. */
    public static int port(String text) {
        String t = text.strip();
        if (!t.matches("\\d{1,6}")) {
            throw new IllegalArgumentException("port must be a number 1..65535, got '" + text + "'");
        }
        int port = Integer.parseInt(t);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        return port;
    }

    /** An IPv4 or IPv6 literal (no brackets); returns it stripped. */
    public static String ip(String text) {
        String t = text.strip();
        if (t.indexOf(':') >= 0) {
            ipv6(t, text);
        } else if (!isIpv4(t)) {
            throw new IllegalArgumentException("must be an IP address, got '" + text + "'");
        }
        return t;
    }

    /** An IPv4 or IPv6 network such as {@code 198.51.100.0/24}, with no host bits set. */
    public static String cidr(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        if (slash < 0 || !t.substring(slash + 1).matches("\\d{1,3}")) {
            throw new IllegalArgumentException("must be a network such as 198.51.100.0/24, got '" + text + "'");
        }
        byte[] bytes = InetAddress.ofLiteral(ip(t.substring(0, slash))).getAddress();
        int prefix = Integer.parseInt(t.substring(slash + 1));
        if (prefix > bytes.length * 8) {
            throw new IllegalArgumentException("prefix length must be 0.." + bytes.length * 8 + ", got '" + text + "'");
        }
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("address has bits set beyond the /" + prefix + " prefix: '" + text + "'");
            }
        }
        return t;
    }

    /** An IPv4 literal or a DNS name (IPv6 hosts are checked where the brackets are parsed). */
    static String host(String host) {
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            if (!isIpv4(host)) {
                throw new IllegalArgumentException("must be an IPv4 address, got '" + host + "'");
            }
            return host;
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException("must be a host name or IP address, got '" + host + "'");
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("must be a host name or IP address, got '" + host + "'");
            }
        }
        return host;
    }

    private static boolean isIpv4(String t) {
        if (!IPV4.matcher(t).matches()) {
            return false;
        }
        for (String octet : t.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static void ipv6(String host, String whole) {
        try {
            if (host.indexOf('[') >= 0) {
                throw new IllegalArgumentException("brackets belong around the address in host:port only");
            }
            Inet6Address.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be an IPv6 address, got '" + whole + "'");
        }
    }
}
