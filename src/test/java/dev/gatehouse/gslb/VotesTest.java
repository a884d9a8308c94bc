package dev.gatehouse.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.time.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The majority rule of the GSLB vantage points, with a stepped clock. */
@Timeout(10)
class VotesTest {

    private static final long FRESH = Duration.ofSeconds(3).toNanos();

    private final ManualTicker clock = new ManualTicker();
    private final byte[] own = {Votes.UNKNOWN, Votes.UNKNOWN};
    private final Votes votes = new Votes(2, t -> own[t], 2, clock, FRESH);

    @Test
    void answersStayUpUntilEveryPeerWasAskedOnce() {
        own[0] = Votes.DOWN;
        assertThat(votes.waiting()).isTrue();
        assertThat(votes.states().up(0)).as("its own first check alone moves nothing").isTrue();
        votes.asked("p1");
        votes.asked("p2");
        assertThat(votes.waiting()).isFalse();
        assertThat(votes.states().up(0)).as("alone now: its own check decides").isFalse();
    }

    @Test
    void aTargetIsDownOnlyWhenMoreThanHalfOfTheVerdictsSayDown() {
        votes.asked("p1");
        votes.asked("p2");
        own[0] = Votes.DOWN;
        votes.peer("p1", "n1", new byte[] {Votes.UP, Votes.UP});
        assertThat(votes.states().up(0)).as("a tie, one each: up").isTrue();
        assertThat(votes.tally(0)).containsExactly(2, 1);
        votes.peer("p2", "n2", new byte[] {Votes.DOWN, Votes.UNKNOWN});
        assertThat(votes.states().up(0)).as("two of three").isFalse();
        assertThat(votes.tally(1)).as("an unknown verdict is no vote").containsExactly(1, 0);
        assertThat(votes.states().up(1)).isTrue();
    }

    @Test
    void aPeersVerdictsCountOnlyWhileFresh() {
        votes.asked("p1");
        votes.asked("p2");
        own[0] = Votes.UP;
        votes.peer("p1", "n1", new byte[] {Votes.DOWN, Votes.DOWN});
        votes.peer("p2", "n2", new byte[] {Votes.DOWN, Votes.DOWN});
        assertThat(votes.states().up(0)).isFalse();
        clock.advance(Duration.ofMillis(2999));
        assertThat(votes.fresh("p1")).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(votes.fresh("p1")).isFalse();
        assertThat(votes.states().up(0)).as("stale peers: its own check alone").isTrue();
        assertThat(votes.tally(1)).as("no verdict at all").containsExactly(0, 0);
        assertThat(votes.states().up(1)).as("unknown is answered as up").isTrue();
        assertThat(votes.node("p1")).isEqualTo("n1");
    }
}
