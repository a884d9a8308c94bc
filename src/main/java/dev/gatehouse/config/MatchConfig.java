package dev.gatehouse.config;

import java.util.Map;

/**
 * What a request must carry to match a route; every field given must match (null or empty: any).
 *
 * @param host compared case-insensitively with the Host header, port stripped
 * @param header header name (case-insensitive) to exact value
 */
public record MatchConfig(String host, String pathPrefix, Map<String, String> header) {

    public MatchConfig {
        header = header == null ? Map.of() : Map.copyOf(header);
    }
}
