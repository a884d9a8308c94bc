package dev.gatehouse.pool;

/** An endpoint with the weight a balancer should give it (positive). */
public record WeightedEndpoint(Endpoint endpoint, int weight) {}
