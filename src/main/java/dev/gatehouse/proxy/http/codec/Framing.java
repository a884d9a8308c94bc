package dev.gatehouse.proxy.http.codec;

/** How the body that follows a head is delimited. */
public enum Framing {
    /** No body follows. */
    NONE,
    /** Exactly {@code contentLength} bytes follow. */
    CONTENT_LENGTH,
    /** A chunked body follows, ending with the last chunk, trailers and an empty line. */
    CHUNKED,
    /** Responses only: the body runs until the server closes the connection. */
    CLOSE_DELIMITED
}
