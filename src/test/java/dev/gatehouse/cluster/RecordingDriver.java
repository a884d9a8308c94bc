package dev.gatehouse.cluster;

import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.vip.VipDriver;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A VIP driver that records each call by name, in order: acquire, release, refresh, withdraw, leaving. */
class RecordingDriver implements VipDriver {

    final List<String> calls;

    RecordingDriver(List<String> calls) {
        this.calls = calls;
    }

    @Override
    public void acquire(VipConfig v) throws Exception {
        calls.add("acquire");
    }

    @Override
    public void release(VipConfig v) {
        calls.add("release");
    }

    @Override
    public void refresh(VipConfig v) {
        calls.add("refresh");
    }

    @Override
    public void withdraw(VipConfig v) {
        calls.add("withdraw");
    }

    @Override
    public CompletableFuture<Void> keepDuringHandover(VipConfig v) {
        calls.add("leaving");
        return CompletableFuture.completedFuture(null);
    }
}
