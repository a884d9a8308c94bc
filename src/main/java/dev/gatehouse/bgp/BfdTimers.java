package dev.gatehouse.bgp;

import java.time.Duration;
import java.util.Objects;

/**
 * The BFD session run alongside one BGP session (RFC 5880/5881 single hop): the interval this side sends at and
 * asks the peer to send at, and after how many missed intervals either side declares the other down.
 */
public record BfdTimers(Duration interval, int multiplier) {

    public BfdTimers {
        Objects.requireNonNull(interval, "interval");
        if (multiplier < 1 || multiplier > 255) {
            throw new IllegalArgumentException("bfd multiplier must be 1-255, was " + multiplier);
        }
    }

    /** How long a silent peer goes unnoticed: interval × multiplier. */
    public Duration detectionTime() {
        return interval.multipliedBy(multiplier);
    }

    @Override
    public String toString() {
        return interval.toMillis() + " ms × " + multiplier;
    }
}
