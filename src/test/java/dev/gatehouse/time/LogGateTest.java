package dev.gatehouse.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogGateTest {

    @Test
    void theFirstLinePassesThenOnePerIntervalTellingHowManyWereHeldBack() {
        ManualTicker ticker = new ManualTicker();
        LogGate gate = new LogGate(ticker, Duration.ofSeconds(10));
        assertThat(gate.pass()).isZero();
        assertThat(gate.pass()).isEqualTo(-1);
        ticker.advance(Duration.ofMillis(9_999));
        assertThat(gate.pass()).isEqualTo(-1);
        ticker.advance(Duration.ofMillis(1));
        assertThat(gate.pass()).isEqualTo(2);
        assertThat(gate.pass()).isEqualTo(-1);
        ticker.advance(Duration.ofSeconds(60));
        assertThat(gate.pass()).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(10));
        assertThat(gate.pass()).isZero();
    }
}
