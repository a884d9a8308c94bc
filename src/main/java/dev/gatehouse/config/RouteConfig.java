package dev.gatehouse.config;

/** A route of an HTTP listener: requests that match go to {@code pool}; a null match matches all. */
public record RouteConfig(MatchConfig match, String pool) {}
