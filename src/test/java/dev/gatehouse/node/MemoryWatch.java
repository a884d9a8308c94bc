package dev.gatehouse.node;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.atomic.AtomicLong;

/** Samples the direct memory the data plane's allocator holds in use, every few milliseconds, and keeps the peak. */
final class MemoryWatch {

    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running = true;
    private final Thread sampler;

    private MemoryWatch() {
        var metrics = PooledByteBufAllocator.DEFAULT;
        sampler = Thread.ofPlatform().daemon().start(() -> {
            while (running) {
                peak.accumulateAndGet(metrics.metric().usedDirectMemory(), Math::max);
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        });
    }

    static MemoryWatch start() {
        return new MemoryWatch();
    }

    long stop() throws InterruptedException {
        running = false;
        sampler.join();
        return peak.get();
    }
}
