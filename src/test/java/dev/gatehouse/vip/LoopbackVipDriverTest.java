package dev.gatehouse.vip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopbackVipDriverTest {

    private final VipConfig front = new VipConfig("front", "127.0.0.10", Driver.LOOPBACK, null, null, Mode.ACTIVE_PASSIVE, null);

    @Test
    void bindsOnAcquireAndUnbindsOnceOnRelease() throws Exception {
        List<String> calls = new ArrayList<>();
        LoopbackVipDriver driver = new LoopbackVipDriver(new LoopbackVipDriver.Binding() {
            @Override
            public void bind(VipConfig vip) {
                calls.add("bind " + vip.address());
            }

            @Override
            public void unbind(VipConfig vip) {
                calls.add("unbind " + vip.address());
            }
        });
        driver.release(front); // not held: nothing to undo
        driver.acquire(front);
        assertThat(driver.holds("front")).isTrue();
        driver.release(front);
        driver.release(front);
        assertThat(driver.holds("front")).isFalse();
        assertThat(calls).containsExactly("bind 127.0.0.10", "unbind 127.0.0.10");
    }
}
