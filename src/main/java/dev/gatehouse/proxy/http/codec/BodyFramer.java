package dev.gatehouse.proxy.http.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Tells how many of the bytes at hand belong to the current body, so the proxy can relay them
 * unchanged without holding any. Chunked framing (RFC 9112 section 7.1) is checked by a state
 * machine that accepts any split of the input, down to one byte at a time; chunk data is skipped
 * over without being looked at.
 */
public final class BodyFramer {

    private static final int SIZE = 0;
    private static final int SIZE_WS = 1;
    private static final int EXT_NAME_START = 2;
    private static final int EXT_NAME = 3;
    private static final int EXT_NAME_WS = 4;
    private static final int EXT_VALUE_START = 5;
    private static final int EXT_TOKEN_VALUE = 6;
    private static final int EXT_QUOTED = 7;
    private static final int EXT_QUOTED_ESCAPE = 8;
    private static final int EXT_VALUE_WS = 9;
    private static final int SIZE_LF = 10;
    private static final int DATA = 11;
    private static final int DATA_CR = 12;
    private static final int DATA_LF = 13;
    private static final int TRAILER_START = 14;
    private static final int TRAILER_NAME = 15;
    private static final int TRAILER_VALUE = 16;
    private static final int TRAILER_LF = 17;
    private static final int FINAL_LF = 18;
    private static final int MAX_SIZE_DIGITS = 16;

    private final int maxLineSize;
    private final ByteProcessor stepper = this::step;
    private Framing framing = Framing.NONE;
    private long remaining;
    private int state;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    private boolean complete = true;
    private String errorReason;

    /** @param maxHeadSize limit for a chunk-size line with its extensions, and for the trailer section */
    public BodyFramer(int maxHeadSize) {
        if (maxHeadSize < 64) {
            throw new IllegalArgumentException("maxHeadSize must be at least 64 bytes, was " + maxHeadSize);
        }
        this.maxLineSize = maxHeadSize;
    }

    /** Starts on a new body; {@code contentLength} counts only for {@link Framing#CONTENT_LENGTH}. */
    public void reset(Framing framing, long contentLength) {
        if (framing == Framing.CONTENT_LENGTH && contentLength < 0) {
            throw new IllegalArgumentException("contentLength must not be negative, was " + contentLength);
        }
        this.framing = framing;
        this.remaining = framing == Framing.CONTENT_LENGTH ? contentLength : 0;
        this.state = SIZE;
        this.digits = 0;
        this.lineBytes = 0;
        this.trailerBytes = 0;
        this.errorReason = null;
        this.complete = framing == Framing.NONE || framing == Framing.CONTENT_LENGTH && contentLength == 0;
    }

    /**
     * Returns how many bytes from {@code in.readerIndex()} belong to the body (0 once it is
     * complete), without moving the reader index; or -1 when the chunked framing is malformed.
     */
    public int scan(ByteBuf in) {
        if (errorReason != null) {
            return -1;
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (complete) {
            return 0;
        }
        switch (framing) {
            case CLOSE_DELIMITED -> {
                return end - start;
            }
            case CONTENT_LENGTH -> {
                int n = (int) Math.min(remaining, end - start);
                remaining -= n;
                complete = remaining == 0;
                return n;
            }
            default -> {
                return scanChunked(in, start, end);
            }
        }
    }

    private int scanChunked(ByteBuf in, int start, int end) {
        int p = start;
        while (p < end && !complete && errorReason == null) {
            if (state == DATA) {
                int n = (int) Math.min(remaining, end - p);
                p += n;
                remaining -= n;
                if (remaining == 0) {
                    state = DATA_CR;
                }
            } else {
                int stop = in.forEachByte(p, end - p, stepper);
                p = stop < 0 ? end : stop + 1;
            }
        }
        return errorReason != null ? -1 : p - start;
    }

    public boolean isComplete() {
        return complete;
    }

    public boolean isError() {
        return errorReason != null;
    }

    /** What was malformed, or null. */
    public String errorReason() {
        return errorReason;
    }

    /** Consumes one framing byte; false stops the byte loop (data follows, body done, or error). */
    private boolean step(byte b) {
        if (state < DATA && ++lineBytes > maxLineSize) {
            return error("chunk-size line too long");
        }
        switch (state) {
            case SIZE -> {
                int hex = Ascii.hexValue(b);
                if (hex >= 0) {
                    if (++digits > MAX_SIZE_DIGITS || remaining > Long.MAX_VALUE >>> 4) {
                        return error("chunk size too large");
                    }
                    remaining = remaining << 4 | hex;
                    return true;
                }
                if (digits == 0) {
                    return error("invalid chunk size");
                }
                return afterSizeOrValue(b);
            }
            case SIZE_WS, EXT_VALUE_WS -> {
                return Ascii.isWhitespace(b) || afterSizeOrValue(b);
            }
            case EXT_NAME_START -> {
                if (Ascii.isWhitespace(b)) {
                    return true;
                }
                return Ascii.isToken(b) ? to(EXT_NAME) : error("invalid chunk extension");
            }
            case EXT_NAME, EXT_NAME_WS -> {
                if (Ascii.isToken(b) && state == EXT_NAME) {
                    return true;
                }
                if (Ascii.isWhitespace(b)) {
                    return to(EXT_NAME_WS);
                }
                return b == '=' ? to(EXT_VALUE_START) : afterSizeOrValue(b);
            }
            case EXT_VALUE_START -> {
                if (Ascii.isWhitespace(b)) {
                    return true;
                }
                if (b == '"') {
                    return to(EXT_QUOTED);
                }
                return Ascii.isToken(b) ? to(EXT_TOKEN_VALUE) : error("invalid chunk extension");
            }
            case EXT_TOKEN_VALUE -> {
                if (Ascii.isToken(b)) {
                    return true;
                }
                return Ascii.isWhitespace(b) ? to(EXT_VALUE_WS) : afterSizeOrValue(b);
            }
            case EXT_QUOTED -> {
                if (b == '"') {
                    return to(EXT_VALUE_WS);
                }
                if (b == '\\') {
                    return to(EXT_QUOTED_ESCAPE);
                }
                return Ascii.isFieldValue(b) || error("control character in chunk extension");
            }
            case EXT_QUOTED_ESCAPE -> {
                return Ascii.isFieldValue(b) ? to(EXT_QUOTED) : error("control character in chunk extension");
            }
            case SIZE_LF -> {
                if (b != Ascii.LF) {
                    return error("bare CR after chunk size");
                }
                lineBytes = 0;
                digits = 0;
                state = remaining == 0 ? TRAILER_START : DATA;
                return state != DATA;
            }
            case DATA_CR -> {
                return b == Ascii.CR ? to(DATA_LF) : error("missing CRLF after chunk data");
            }
            case DATA_LF -> {
                return b == Ascii.LF ? to(SIZE) : error("missing CRLF after chunk data");
            }
            default -> {
                return trailerStep(b);
            }
        }
    }

    /** A chunk-size or extension just ended: an extension, or the end of the line, must follow. */
    private boolean afterSizeOrValue(byte b) {
        if (b == ';') {
            return to(EXT_NAME_START);
        }
        if (b == Ascii.CR) {
            return to(SIZE_LF);
        }
        if (Ascii.isWhitespace(b) && state == SIZE) {
            return to(SIZE_WS);
        }
        return error(b == Ascii.LF ? "bare LF in chunked body" : "invalid chunk extension");
    }

    private boolean trailerStep(byte b) {
        if (++trailerBytes > maxLineSize) {
            return error("trailer section too large");
        }
        switch (state) {
            case TRAILER_START -> {
                if (b == Ascii.CR) {
                    return to(FINAL_LF);
                }
                return Ascii.isToken(b) ? to(TRAILER_NAME) : error("invalid trailer field");
            }
            case TRAILER_NAME -> {
                if (b == ':') {
                    return to(TRAILER_VALUE);
                }
                return Ascii.isToken(b) || error("invalid trailer field");
            }
            case TRAILER_VALUE -> {
                if (b == Ascii.CR) {
                    return to(TRAILER_LF);
                }
                return Ascii.isFieldValue(b) || error("control character in trailer field");
            }
            case TRAILER_LF -> {
                return b == Ascii.LF ? to(TRAILER_START) : error("bare CR in trailer section");
            }
            default -> { // FINAL_LF
                if (b != Ascii.LF) {
                    return error("bare CR after last chunk");
                }
                complete = true;
                return false;
            }
        }
    }

    private boolean to(int next) {
        state = next;
        return true;
    }

    private boolean error(String reason) {
        errorReason = reason;
        return false;
    }
}
