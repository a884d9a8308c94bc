/**
 * A strict HTTP/1.1 message codec for a proxy that relays bodies as raw bytes.
 *
 * <p>Not a Netty handler: plain, reusable objects over {@link io.netty.buffer.ByteBuf} that the
 * proxy's handlers call. One {@link dev.gatehouse.proxy.http.codec.RequestParser} (or
 * {@link dev.gatehouse.proxy.http.codec.ResponseParser}) and one
 * {@link dev.gatehouse.proxy.http.codec.BodyFramer} per connection, reused for every message.
 * Parsing reports errors as return values, never as exceptions, and allocates nothing once its
 * buffers have grown to the largest head seen. Header names and values are offsets into a copy of
 * the head bytes; text views handed out stay valid only until the next message is parsed into the
 * same head (call {@code toString()} to keep one).
 */
package dev.gatehouse.proxy.http.codec;
