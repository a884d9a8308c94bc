package dev.gatehouse.balance;

/** A target with the weight a balancer should give it (positive). */
public record Weighted<T extends Target>(T target, int weight) {}
