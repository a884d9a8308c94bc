package dev.gatehouse.proxy.http.codec;

/**
 * Why the proxy answers a request itself instead of forwarding it: the status it answers with and a short,
 * stable label for metrics and logs. Responses from a backend that break a rule use the same kinds; those are
 * always answered with 502 and are not counted as refusals.
 */
public enum Refusal {
    BAD_REQUEST_LINE(400, "bad_request_line"),
    BAD_STATUS_LINE(502, "bad_status_line"),
    VERSION_NOT_SUPPORTED(505, "version_not_supported"),
    URI_TOO_LONG(414, "uri_too_long"),
    HEADER_TOO_LARGE(431, "header_too_large"),
    BAD_LINE_ENDING(400, "bad_line_ending"),
    OBS_FOLD(400, "obs_fold"),
    BAD_HEADER(400, "bad_header"),
    BAD_HOST(400, "bad_host"),
    BAD_CONTENT_LENGTH(400, "bad_content_length"),
    CONFLICTING_LENGTH(400, "conflicting_length"),
    BAD_TRANSFER_ENCODING(400, "bad_transfer_encoding"),
    UNSUPPORTED_TRANSFER_CODING(501, "unsupported_transfer_coding"),
    UNSUPPORTED_EXPECTATION(417, "unsupported_expectation"),
    CONNECT_METHOD(501, "connect_method"),
    BAD_UPGRADE_RESPONSE(502, "bad_upgrade_response"),
    /** Found by the proxy while relaying, not by the head parser. */
    BAD_CHUNKED_BODY(400, "bad_chunked_body"),
    REQUEST_TIMEOUT(408, "request_timeout"),
    NO_ROUTE(404, "no_route");

    private final int status;
    private final String label;

    Refusal(int status, String label) {
        this.status = status;
        this.label = label;
    }

    /** The status the proxy answers with. */
    public int status() {
        return status;
    }

    /** The metric label: lower case, stable across releases. */
    public String label() {
        return label;
    }
}
