package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.EndpointChoice;
import dev.gatehouse.proxy.http.codec.BodyFramer;
import dev.gatehouse.proxy.http.codec.RequestHead;
import dev.gatehouse.proxy.http.codec.RequestParser;
import dev.gatehouse.proxy.http.codec.ResponseHead;
import dev.gatehouse.proxy.http.codec.ResponseParser;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;

/**
 * The parsers, framers and endpoint choice one exchange needs. A connection holds a set only while a request is in flight; an idle
 * keep-alive connection gives it back to its event loop's pool, so thousands of idle clients cost no parser
 * buffers. The pool is per event loop: no locks, and the buffers stay warm in that core's cache.
 */
final class ExchangeCodecs {

    /** Backends are trusted more than clients, but a response head still has a bound. */
    private static final int MAX_RESPONSE_HEAD = 64 * 1024;
    private static final int MAX_POOLED = 1024;
    private static final FastThreadLocal<ArrayDeque<ExchangeCodecs>> POOL = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<ExchangeCodecs> initialValue() {
            return new ArrayDeque<>();
        }
    };

    final int maxRequestHead;
    final RequestParser requestParser;
    final RequestHead request;
    final ResponseParser responseParser;
    final ResponseHead response;
    final BodyFramer requestBody;
    final BodyFramer responseBody;
    /** Checks a chunked body's first size line before anything reaches a backend. */
    final BodyFramer chunkProbe;
    /** The endpoints this request tried, and its affinity. */
    final EndpointChoice choice = new EndpointChoice();

    private ExchangeCodecs(int maxRequestHead) {
        this.maxRequestHead = maxRequestHead;
        this.requestParser = new RequestParser(maxRequestHead);
        this.request = requestParser.head();
        this.responseParser = new ResponseParser(MAX_RESPONSE_HEAD);
        this.response = responseParser.head();
        this.requestBody = new BodyFramer(maxRequestHead);
        this.responseBody = new BodyFramer(MAX_RESPONSE_HEAD);
        this.chunkProbe = new BodyFramer(maxRequestHead);
    }

    /** A set from the calling event loop's pool (or a new one) for heads of at most {@code maxRequestHead} bytes. */
    static ExchangeCodecs acquire(int maxRequestHead) {
        ArrayDeque<ExchangeCodecs> pool = POOL.get();
        ExchangeCodecs c = pool.pollFirst();
        if (c != null && c.maxRequestHead == maxRequestHead) {
            return c;
        }
        return new ExchangeCodecs(maxRequestHead);
    }

    /** Gives a set back to the calling event loop's pool, ready for the next exchange. */
    void release() {
        requestParser.reset();
        responseParser.reset();
        choice.reset(null, 0, 0); // a pooled set holds no pool a reload may have retired
        ArrayDeque<ExchangeCodecs> pool = POOL.get();
        if (pool.size() < MAX_POOLED) {
            pool.addFirst(this);
        }
    }
}
