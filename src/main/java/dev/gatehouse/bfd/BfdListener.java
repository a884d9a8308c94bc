package dev.gatehouse.bfd;

/**
 * Told of every state change of a session. Called on the BFD event loop, which also sends every session's packets:
 * hand the news to another thread rather than block here.
 */
@FunctionalInterface
public interface BfdListener {

    void stateChanged(BfdSession session, StateChange change);
}
