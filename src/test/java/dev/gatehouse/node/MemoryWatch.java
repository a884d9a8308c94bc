package dev.gatehouse.node;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PoolChunkListMetric;
import io.netty.buffer.PoolChunkMetric;
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

    /**
     * The bytes of the allocator's direct chunks handed out now (buffers in use or held in thread caches), to the
     * page. Unlike {@code usedDirectMemory()}, which counts whole 4 MiB chunks, one small buffer that happens to
     * open a new chunk counts as itself.
     */
    static long directBytesHandedOut() {
        long used = 0;
        for (PoolArenaMetric arena : PooledByteBufAllocator.DEFAULT.metric().directArenas()) {
            for (PoolChunkListMetric list : arena.chunkLists()) {
                for (PoolChunkMetric chunk : list) {
                    used += chunk.chunkSize() - chunk.freeBytes();
                }
            }
        }
        return used;
    }

    long stop() throws InterruptedException {
        running = false;
        sampler.join();
        return peak.get();
    }
}
