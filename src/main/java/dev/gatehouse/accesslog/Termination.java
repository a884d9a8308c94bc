package dev.gatehouse.accesslog;

/**
 * How a request or connection ended, logged as a two-letter code in the spirit of HAProxy's session state: the first
 * letter says who ended it ({@code C} the client, {@code S} the server, {@code P} the proxy; lower case when by a
 * timeout), the second in which phase ({@code R} the request, {@code C} the connect, {@code H} the response head,
 * {@code D} the data, {@code L} a limit, {@code N} no endpoint).
 */
public enum Termination {
    /** Completed: a whole response, or a TCP relay that both sides ended with a FIN. */
    NORMAL("--"),
    /**
     * The client went away (a reset, a close mid-upload) before the response was complete; TCP: a close without the
     * FIN exchange. A client that only half-closes after a complete request still gets its response: NORMAL.
     */
    CLIENT_CLOSED("CD"),
    /** The client did not send a complete request in time (408), or sat idle past the idle timeout (TCP). */
    CLIENT_TIMEOUT("cR"),
    /** The request was malformed or matched no route: answered by the proxy (400, 404, 413, 431...). */
    BAD_REQUEST("PR"),
    /** A per-client rate or connection limit, or the listener's connection cap, refused it (429, or a TCP close). */
    LIMITED("PL"),
    /** The pool had no endpoint serving (503). */
    NO_ENDPOINT("PN"),
    /** Connecting to the endpoint failed (refused, unreachable), on the last attempt (502). */
    CONNECT_FAILED("SC"),
    /** Connecting to the endpoint took longer than the pool's connect timeout, on the last attempt (502). */
    CONNECT_TIMEOUT("sC"),
    /** The server closed, reset or sent a malformed head before its response head was complete (502). */
    SERVER_HEAD("SH"),
    /** The server did not start its response within the pool's request timeout (504). */
    SERVER_TIMEOUT("sH"),
    /** The server closed, reset or broke the framing while sending the response body or TCP data. */
    SERVER_CLOSED("SD");

    private final String code;

    Termination(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
