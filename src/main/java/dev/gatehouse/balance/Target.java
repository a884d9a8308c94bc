package dev.gatehouse.balance;

/**
 * What a balancer knows of the things it chooses between. The pool's endpoints implement it, so this package
 * depends on nothing that uses it.
 */
public interface Target {

    /** A 64-bit identity, equal on every node for the same config: the consistent hashes place a target by it. */
    long key();

    /** Distinct among one balancer's targets: orders ties in placement and names the target in errors. */
    String address();

    /** Requests or connections in flight to it now, which least_request compares. */
    int inFlight();
}
