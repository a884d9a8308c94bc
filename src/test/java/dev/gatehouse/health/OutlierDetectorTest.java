package dev.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.pool.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

    private final List<Endpoint> endpoints = List.of(TestPools.endpoint(0, 1), TestPools.endpoint(1, 1));
    private final List<Endpoint> handedOff = new ArrayList<>();
    private final OutlierDetector detector = new OutlierDetector(endpoints, 3, Runnable::run, handedOff::add);

    @Test
    void handsOffOnceWhenTheThresholdIsReached() {
        Endpoint a = endpoints.get(0);
        detector.failure(a);
        detector.failure(a);
        assertThat(handedOff).isEmpty();
        detector.failure(a);
        detector.failure(a);
        detector.failure(a);
        assertThat(handedOff).containsExactly(a);
    }

    @Test
    void aSuccessResetsTheCount() {
        Endpoint a = endpoints.get(0);
        detector.failure(a);
        detector.failure(a);
        detector.success(a);
        detector.failure(a);
        detector.failure(a);
        assertThat(handedOff).isEmpty();
        assertThat(detector.consecutiveFailures(a)).isEqualTo(2);
    }

    @Test
    void countsEachEndpointApart() {
        detector.failure(endpoints.get(0));
        detector.failure(endpoints.get(1));
        detector.failure(endpoints.get(0));
        detector.failure(endpoints.get(1));
        assertThat(handedOff).isEmpty();
        detector.failure(endpoints.get(1));
        assertThat(handedOff).containsExactly(endpoints.get(1));
    }

    @Test
    void afterAResetTheThresholdTriggersAgain() {
        Endpoint a = endpoints.get(0);
        for (int i = 0; i < 3; i++) {
            detector.failure(a);
        }
        detector.reset(a);
        for (int i = 0; i < 3; i++) {
            detector.failure(a);
        }
        assertThat(handedOff).containsExactly(a, a);
    }

    @Test
    void ignoresEndpointsOfAnotherPool() {
        Endpoint stranger = TestPools.endpoint(0, 1); // same index and address, another instance
        for (int i = 0; i < 5; i++) {
            detector.failure(stranger);
        }
        assertThat(handedOff).isEmpty();
        assertThat(detector.consecutiveFailures(endpoints.get(0))).isZero();
    }
}
