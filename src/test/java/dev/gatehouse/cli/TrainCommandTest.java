package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The AOT training workload must keep working: bin/gatehouse starts without a cache when it fails. */
class TrainCommandTest {

    @Test
    void proxiesEveryTrainingRequestAndExits0() {
        assertThat(GatehouseCommand.commandLine().execute("aot-train", "--requests", "40")).isZero();
    }
}
