package dev.gatehouse.bgp;

/** A KEEPALIVE: the header alone. */
public enum Keepalive implements BgpMessage {
    INSTANCE
}
