package dev.gatehouse.bgp;

/** Hears what sessions do, for metrics and events. Called on the speaker's thread; must not block. */
interface SessionListener {

    void stateChanged(PeerSettings peer, SessionState from, SessionState to);

    /** A malformed or unacceptable message, answered with {@code sent}. */
    void malformed(PeerSettings peer, Notification sent);

    /** The peer's BFD session went from Up to Down and took the BGP session down with it; {@code why} says how. */
    void bfdDown(PeerSettings peer, String why);
}
