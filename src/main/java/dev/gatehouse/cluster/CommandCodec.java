package dev.gatehouse.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Objects;

/** Commands as versioned JSON: {@code {"v":1,"command":{"type":"renew",...}}}. */
final class CommandCodec {

    static final int VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private record Envelope(int v, Command command) {
        Envelope {
            Objects.requireNonNull(command, "command");
        }
    }

    private CommandCodec() {}

    static byte[] encode(Command command) {
        try {
            return JSON.writeValueAsBytes(new Envelope(VERSION, command));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + command, e);
        }
    }

    /** The command, or null when the bytes are not a well-formed command of a version this build understands. */
    static Command decode(byte[] bytes) {
        try {
            Envelope envelope = JSON.readValue(bytes, Envelope.class);
            return envelope.v() == VERSION ? envelope.command() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
