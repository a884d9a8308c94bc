package dev.gatehouse.route;

/** What routing may look at in a request. Implemented over the parsed request head, without copies. */
public interface RequestFacts {

    /** The Host header, lower-case, without port; null when absent. */
    CharSequence host();

    /** The request path without the query string. */
    CharSequence path();

    /** The first value of a header (name compared case-insensitively), or null. */
    CharSequence header(CharSequence name);
}
