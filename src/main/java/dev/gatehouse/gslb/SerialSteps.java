package dev.gatehouse.gslb;

/**
 * The serials a zone passes through on its way from one digest to the next (RFC 1982 serial arithmetic): a
 * secondary transfers only a serial newer than its own, and a digest is older about half the time, so the way from
 * an older-looking digest goes through one or two serials that each look newer than the one before, each held until
 * the secondaries fetched it. Same answers throughout; only the SOA's serial differs for those seconds.
 */
final class SerialSteps {

    private static final long MODULUS = 1L << 32;
    /** The largest step that still reads as newer (RFC 1982 §3.2). */
    private static final long MAX_STEP = (1L << 31) - 1;

    private SerialSteps() {}

    static boolean newer(long candidate, long than) {
        long d = Math.floorMod(candidate - than, MODULUS);
        return d > 0 && d <= MAX_STEP;
    }

    /** The serial to publish after {@code published} on the way to {@code target}: the target itself when it reads as newer. */
    static long next(long published, long target) {
        long d = Math.floorMod(target - published, MODULUS);
        if (d == 0 || d <= MAX_STEP) {
            return target;
        }
        long hops = (d + MAX_STEP - 1) / MAX_STEP;
        long step = (d + hops - 1) / hops;
        long next = (published + step) % MODULUS;
        return next == 0 ? 1 : next;
    }
}
