package dev.gatehouse.bgp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the TCP stream into messages and reads each. The first fault is passed on as a {@link MessageError} (the
 * session answers it and closes); everything after it is discarded, as the stream can no longer be trusted.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= MessageReader.HEADER_LENGTH) {
            try {
                int length = MessageReader.frameLength(in);
                if (in.readableBytes() < length) {
                    return;
                }
                ByteBuf frame = in.readSlice(length);
                out.add(MessageReader.read(frame));
            } catch (MessageError e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                out.add(e);
                return;
            } catch (IndexOutOfBoundsException e) {
                // a field ran past its message: every read is bounded by the frame's own length
                failed = true;
                in.skipBytes(in.readableBytes());
                out.add(new MessageError(Notification.HEADER_ERROR, Notification.BAD_MESSAGE_LENGTH,
                        "a field overruns its message"));
                return;
            }
        }
    }
}
