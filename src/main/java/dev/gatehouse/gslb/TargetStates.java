package dev.gatehouse.gslb;

import java.util.Arrays;

/**
 * Which targets of a zone are up, by zone-wide target index. Immutable: a check that changes a state makes a new
 * one, and a new {@link ZoneSnapshot} with it.
 */
final class TargetStates {

    private final boolean[] up;

    private TargetStates(boolean[] up) {
        this.up = up;
    }

    /** Every one of {@code count} targets up: how a zone starts, before any check has answered (see {@link TargetChecks}). */
    static TargetStates allUp(int count) {
        boolean[] up = new boolean[count];
        Arrays.fill(up, true);
        return new TargetStates(up);
    }

    static TargetStates of(boolean[] up) {
        return new TargetStates(up.clone());
    }

    boolean up(int target) {
        return up[target];
    }

    TargetStates with(int target, boolean isUp) {
        if (up[target] == isUp) {
            return this;
        }
        boolean[] next = up.clone();
        next[target] = isUp;
        return new TargetStates(next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetStates t && Arrays.equals(up, t.up);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(up);
    }
}
