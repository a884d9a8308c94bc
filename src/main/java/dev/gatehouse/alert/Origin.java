package dev.gatehouse.alert;

/**
 * Who sends the alerts: this node's id and its cluster's name (null for a node alone), put in every body so one
 * receiver can tell nodes and clusters apart.
 */
public record Origin(String node, String cluster) {}
