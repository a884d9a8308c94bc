package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Test helpers: HTTP text to bytes and back, ISO-8859-1 so every byte value survives. */
final class Raw {

    private Raw() {
    }

    /** The lines joined with CRLF, plus the empty line that ends a head. */
    static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    static ByteBuf buf(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.ISO_8859_1);
    }
}
