package dev.gatehouse.bgp;

/** A BGP message this speaker reads or writes (RFC 4271 section 4). */
public sealed interface BgpMessage permits Open, Keepalive, Notification, ReceivedUpdate, RouteUpdate {

    int OPEN = 1;
    int UPDATE = 2;
    int NOTIFICATION = 3;
    int KEEPALIVE = 4;
}
