package dev.gatehouse.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.history.HistoryReport.StateChange;
import dev.gatehouse.history.TrafficHistory.EndpointSample;
import dev.gatehouse.history.TrafficHistory.ListenerSample;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The history keeps a window of samples, each endpoint's state at the window's start and after, and the latest failovers. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TrafficHistoryTest {

    private final TrafficHistory history = new TrafficHistory(Duration.ofSeconds(10), Duration.ofSeconds(1), 3);

    @Test
    void pointsOlderThanTheWindowAreDroppedAndAListenerGoneLeavesWithItsLastPoint() {
        history.sample(0, List.of(), List.of());
        history.sample(1000, List.of(), List.of());
        assertThat(history.report().start()).as("not a full window yet: from the first sample").isZero();
        for (long t = 0; t <= 20_000; t += 1000) {
            List<ListenerSample> ls = t <= 15_000
                    ? List.of(new ListenerSample("web", t / 1000.0, 0.04, 1.23456), new ListenerSample("api", 1, 1, null))
                    : List.of(new ListenerSample("api", 1, 1, null));
            history.sample(t, ls, List.of());
        }
        HistoryReport r = history.report();

        assertThat(r.now()).isEqualTo(20_000);
        assertThat(r.start()).isEqualTo(10_000);
        var api = r.listeners().stream().filter(l -> l.name().equals("api")).findFirst().orElseThrow();
        assertThat(api.points()).hasSize(11).first().extracting(HistoryReport.Point::t).isEqualTo(10_000L);
        var web = r.listeners().stream().filter(l -> l.name().equals("web")).findFirst().orElseThrow();
        assertThat(web.points().getLast()).isEqualTo(new HistoryReport.Point(15_000, 15.0, 0.0, 1.235));

        history.sample(26_000, List.of(), List.of());
        assertThat(history.report().listeners()).extracting(HistoryReport.ListenerSeries::name).containsExactly("api");
    }

    @Test
    void anEndpointStripKeepsOnlyChangesAndItsStateAtTheWindowStart() {
        for (long t = 0; t <= 30_000; t += 1000) {
            String state = t < 5_000 ? "healthy" : t < 25_000 ? "unhealthy" : "healthy";
            history.sample(t, List.of(), List.of(new EndpointSample("web", "127.0.0.1:80", state),
                    new EndpointSample("web", "127.0.0.1:81", "draining")));
        }
        var strips = history.report().endpoints();

        assertThat(strips.getFirst().states()).containsExactly(new StateChange(5_000, "unhealthy"), new StateChange(25_000, "healthy"));
        assertThat(strips.get(1).states()).containsExactly(new StateChange(0, "draining"));

        history.sample(31_000, List.of(), List.of(new EndpointSample("web", "127.0.0.1:80", "healthy")));
        assertThat(history.report().endpoints().get(1).states()).endsWith(new StateChange(31_000, "removed"));
        history.sample(41_000, List.of(), List.of(new EndpointSample("web", "127.0.0.1:80", "healthy")));
        assertThat(history.report().endpoints()).extracting(HistoryReport.EndpointStrip::address).containsExactly("127.0.0.1:80");
    }

    @Test
    void onlyTheLatestFailoversAreKept() {
        for (int i = 1; i <= 5; i++) {
            history.failover(i, "failover", "front", "lb" + i + " acquired it");
        }
        assertThat(history.report().failovers()).extracting(HistoryReport.Failover::detail)
                .containsExactly("lb3 acquired it", "lb4 acquired it", "lb5 acquired it");
    }
}
