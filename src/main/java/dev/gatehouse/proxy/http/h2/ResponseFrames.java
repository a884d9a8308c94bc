package dev.gatehouse.proxy.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.AsciiString;
import io.netty.util.ByteProcessor;
import java.util.function.Consumer;

/**
 * The HTTP/1.1 response the exchange handler writes for a stream, as HTTP/2 frames: each head (interim ones too) as a
 * HEADERS frame without the connection-specific fields, the body as DATA frames with its chunk framing taken off, the
 * end of the body as END_STREAM. The bytes come from the proxy's own writer, whose head and framing the relay has
 * already checked, so a violation here is a defect and ends the stream (see {@link #failed()}).
 */
final class ResponseFrames {

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_LINE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, UNTIL_CLOSE, DONE, FAILED }

    private static final ByteProcessor FIND_LF = ByteProcessor.FIND_LF;
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString UPGRADE = AsciiString.cached("upgrade");

    private final boolean headRequest;
    private State state = State.HEAD;
    private ByteBuf head;
    private long remaining;
    /** Bytes of the trailer line being skipped (0: at the start of a line). */
    private int trailerLine;

    /** @param headRequest the request was HEAD: a final response has no body */
    ResponseFrames(boolean headRequest) {
        this.headRequest = headRequest;
    }

    /** The END_STREAM has been produced. */
    boolean done() {
        return state == State.DONE;
    }

    /** The body runs until the exchange handler closes the stream (an HTTP/1.0-style response without a length). */
    boolean untilClose() {
        return state == State.UNTIL_CLOSE;
    }

    boolean failed() {
        return state == State.FAILED;
    }

    /** Turns {@code in} (released) into the frames it completes, handed to {@code out} in order. */
    void translate(ByteBufAllocator alloc, ByteBuf in, Consumer<Http2StreamFrame> out) {
        try {
            while (in.isReadable() && state != State.DONE && state != State.FAILED) {
                switch (state) {
                    case HEAD -> head(alloc, in, out);
                    case LENGTH -> {
                        int n = (int) Math.min(remaining, in.readableBytes());
                        remaining -= n;
                        out.accept(new DefaultHttp2DataFrame(in.readRetainedSlice(n), remaining == 0));
                        state = remaining == 0 ? State.DONE : State.LENGTH;
                    }
                    case UNTIL_CLOSE -> out.accept(new DefaultHttp2DataFrame(in.readRetainedSlice(in.readableBytes()), false));
                    default -> chunked(in, out);
                }
            }
        } finally {
            in.release();
        }
    }

    /** The frame that ends a body: after the last chunk, or at the close of the stream's exchange. */
    Http2StreamFrame endOfBody() {
        state = State.DONE;
        return new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true);
    }

    private void head(ByteBufAllocator alloc, ByteBuf in, Consumer<Http2StreamFrame> out) {
        if (head == null) {
            head = alloc.buffer(Math.max(256, in.readableBytes()));
        }
        // Move bytes up to the blank line that ends the head; what follows is body.
        while (in.isReadable()) {
            int lf = in.forEachByte(FIND_LF);
            int upTo = lf < 0 ? in.writerIndex() : lf + 1;
            head.writeBytes(in, upTo - in.readerIndex());
            int w = head.writerIndex();
            if (lf >= 0 && w >= 4 && head.getByte(w - 3) == '\n' && head.getByte(w - 4) == '\r') {
                emitHead(head, out);
                head.release();
                head = null;
                return;
            }
        }
    }

    /** The head in {@code h} (status line, fields, blank line; CRLF line ends, as the proxy writes them) as a HEADERS frame. */
    private void emitHead(ByteBuf h, Consumer<Http2StreamFrame> out) {
        if (h.readableBytes() < 14 || h.getByte(h.readerIndex() + 8) != ' ') {
            state = State.FAILED;
            return;
        }
        int at = h.readerIndex() + 9;
        int status = (h.getByte(at) - '0') * 100 + (h.getByte(at + 1) - '0') * 10 + h.getByte(at + 2) - '0';
        Http2Headers headers = new DefaultHttp2Headers(false);
        headers.status(AsciiString.of(Integer.toString(status)));
        long length = -1;
        boolean chunked = false;
        int line = h.forEachByte(FIND_LF) + 1;
        int end = h.writerIndex() - 2; // the blank line
        while (line < end) {
            int lf = h.indexOf(line, end + 2, (byte) '\n');
            int colon = h.indexOf(line, lf, (byte) ':');
            if (colon > line) {
                AsciiString name = lowerCase(h, line, colon);
                int v = colon + 1;
                int vEnd = lf - 1; // before the CR
                while (v < vEnd && h.getByte(v) == ' ') {
                    v++;
                }
                while (vEnd > v && h.getByte(vEnd - 1) == ' ') {
                    vEnd--;
                }
                AsciiString value = new AsciiString(ByteBufUtil.getBytes(h, v, vEnd - v), false);
                if (name.contentEquals(TRANSFER_ENCODING)) {
                    chunked = true; // the relay passes only a chunked last coding on
                } else if (!connectionSpecific(name)) {
                    if (name.contentEquals(CONTENT_LENGTH)) {
                        length = value.parseLong();
                    }
                    headers.add(name, value);
                }
            }
            line = lf + 1;
        }
        if (status < 200) {
            out.accept(new DefaultHttp2HeadersFrame(headers, false)); // interim: a final head follows
            return;
        }
        boolean noBody = headRequest || status == 204 || status == 304 || !chunked && length == 0;
        out.accept(new DefaultHttp2HeadersFrame(headers, noBody));
        if (noBody) {
            state = State.DONE;
        } else if (chunked) {
            state = State.CHUNK_SIZE;
            remaining = 0;
        } else if (length > 0) {
            state = State.LENGTH;
            remaining = length;
        } else {
            state = State.UNTIL_CLOSE;
        }
    }

    private static AsciiString lowerCase(ByteBuf h, int from, int to) {
        byte[] name = ByteBufUtil.getBytes(h, from, to - from);
        for (int i = 0; i < name.length; i++) {
            if (name[i] >= 'A' && name[i] <= 'Z') {
                name[i] += 'a' - 'A';
            }
        }
        return new AsciiString(name, false);
    }

    private static boolean connectionSpecific(AsciiString name) {
        return name.contentEquals(CONNECTION) || name.contentEquals(KEEP_ALIVE) || name.contentEquals(PROXY_CONNECTION)
                || name.contentEquals(UPGRADE);
    }

    /** One step of taking the chunk framing off (RFC 9112 section 7.1); extensions and trailer fields are dropped. */
    private void chunked(ByteBuf in, Consumer<Http2StreamFrame> out) {
        switch (state) {
            case CHUNK_SIZE -> {
                int hex = hex(in.readByte());
                if (hex >= 0) {
                    remaining = remaining << 4 | hex;
                } else {
                    state = State.CHUNK_LINE;
                    in.readerIndex(in.readerIndex() - 1);
                }
            }
            case CHUNK_LINE -> { // extensions and CRLF after the size
                if (in.readByte() == '\n') {
                    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
                    trailerLine = 0;
                }
            }
            case CHUNK_DATA -> {
                int n = (int) Math.min(remaining, in.readableBytes());
                remaining -= n;
                out.accept(new DefaultHttp2DataFrame(in.readRetainedSlice(n), false));
                if (remaining == 0) {
                    state = State.CHUNK_DATA_END;
                }
            }
            case CHUNK_DATA_END -> {
                if (in.readByte() == '\n') {
                    state = State.CHUNK_SIZE;
                }
            }
            default -> { // TRAILERS: lines up to an empty one
                byte b = in.readByte();
                if (b == '\n') {
                    if (trailerLine == 0) {
                        out.accept(endOfBody());
                    }
                    trailerLine = 0;
                } else if (b != '\r') {
                    trailerLine++;
                }
            }
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
    }

    /** Frees what is held when the stream ends early. */
    void release() {
        if (head != null) {
            head.release();
            head = null;
        }
    }
}
