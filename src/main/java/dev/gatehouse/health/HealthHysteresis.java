package dev.gatehouse.health;

/**
 * Rise/fall hysteresis over active check results: an endpoint turns unhealthy after {@code fall}
 * failed checks in a row and healthy again after {@code rise} passes in a row, so one flap never
 * changes its state. Immutable; {@link #next(boolean)} returns the state after one more result.
 *
 * @param streak consecutive results so far that contradict {@code healthy}
 */
public record HealthHysteresis(int rise, int fall, boolean healthy, int streak) {

    public HealthHysteresis {
        if (rise < 1) {
            throw new IllegalArgumentException("rise must be at least 1, got " + rise);
        }
        if (fall < 1) {
            throw new IllegalArgumentException("fall must be at least 1, got " + fall);
        }
        if (streak < 0) {
            throw new IllegalArgumentException("streak must not be negative, got " + streak);
        }
    }

    public static HealthHysteresis healthy(int rise, int fall) {
        return new HealthHysteresis(rise, fall, true, 0);
    }

    /** Down until {@code rise} checks pass in a row. */
    public static HealthHysteresis unhealthy(int rise, int fall) {
        return new HealthHysteresis(rise, fall, false, 0);
    }

    public HealthHysteresis next(boolean passed) {
        if (passed == healthy) {
            return streak == 0 ? this : new HealthHysteresis(rise, fall, healthy, 0);
        }
        int contradicting = streak + 1;
        if (contradicting >= (healthy ? fall : rise)) {
            return new HealthHysteresis(rise, fall, !healthy, 0);
        }
        return new HealthHysteresis(rise, fall, healthy, contradicting);
    }

    /** The same health and streak judged by new thresholds (a config reload). */
    HealthHysteresis withThresholds(int newRise, int newFall) {
        return new HealthHysteresis(newRise, newFall, healthy, streak);
    }
}
