/**
 * HTTP/2 towards clients (RFC 9113), negotiated by ALPN on TLS listeners that offer {@code h2} ({@link ProtocolChoice}),
 * or by prior knowledge on cleartext listeners with {@code h2c: true} ({@link PriorKnowledge}). Each stream is
 * carried as one HTTP/1.1 exchange through the listener's own exchange handler, so streams get the same routing,
 * retries, limits, stick tables, access log and metrics as HTTP/1.1 requests: {@link StreamBridge} turns a stream's
 * frames into the request's HTTP/1.1 bytes and the response's bytes back into frames. {@link H2Connection} holds the
 * connection-wide parts: settings, the limits against abusive peers, idle timeout, graceful drain with GOAWAY.
 */
package dev.gatehouse.proxy.http.h2;
