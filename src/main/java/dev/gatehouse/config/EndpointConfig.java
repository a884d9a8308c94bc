package dev.gatehouse.config;

/** One backend of a pool as configured. {@code zone} may be null. */
public record EndpointConfig(HostPort address, int weight, String zone) {}
