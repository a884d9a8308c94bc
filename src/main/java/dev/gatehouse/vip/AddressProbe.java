package dev.gatehouse.vip;

/**
 * Duplicate address detection before a takeover: asks the segment who has the VIP (an ARP probe from 0.0.0.0,
 * which changes no one's ARP cache) and waits until nobody answers, so that no two kernels hold the address at
 * once. After a crash the old owner's watchdog deletes the address within tens of milliseconds, and a frozen
 * owner's kernel fence stops its answers {@code lease - 100 ms} after its last renewal, both before the peer may be
 * granted the VIP by lease expiry; a takeover that does not wait for the lease (the owner's death was confirmed)
 * waits here instead. The wait is bounded: an address that is still answered after the bound is held by something
 * that is not a Gatehouse owner, and the takeover proceeds (its announcements move the clients).
 */
interface AddressProbe {

    /** What the probing found: how many probes were answered, and whether the last one was not. */
    record Outcome(int answered, boolean free, String error) {

        static final Outcome NOBODY = new Outcome(0, true, null);
    }

    /** Probes until a probe goes unanswered, or the bound has passed, or probing fails (then: not free). */
    Outcome awaitFree(String iface, String address);
}
