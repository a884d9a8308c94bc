package dev.gatehouse.bgp;

/**
 * An UPDATE from the peer, checked and then ignored (this speaker keeps no RIB): only how many prefixes it
 * announced and withdrew, for the logs.
 */
record ReceivedUpdate(int announced, int withdrawn) implements BgpMessage {}
