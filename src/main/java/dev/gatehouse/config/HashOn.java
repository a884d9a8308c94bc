package dev.gatehouse.config;

/**
 * What a hashing pool hashes: {@code source_ip}, {@code header:NAME}, {@code cookie:NAME} or {@code path}.
 *
 * @param name the header or cookie name; null for SOURCE_IP and PATH
 */
public record HashOn(Kind kind, String name) {

    public static final HashOn SOURCE_IP = new HashOn(Kind.SOURCE_IP, null);

    public enum Kind { SOURCE_IP, HEADER, COOKIE, PATH }

    @Override
    public String toString() {
        return name == null ? kind.name().toLowerCase() : kind.name().toLowerCase() + ":" + name;
    }
}
