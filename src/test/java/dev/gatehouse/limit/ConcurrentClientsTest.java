package dev.gatehouse.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.time.ManualTicker;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Event loops share client states without locks: nothing is admitted twice and no connection is lost, whatever the interleaving. */
class ConcurrentClientsTest {

    private static final int THREADS = 4;

    private final ManualTicker clock = new ManualTicker();
    private final ClientLimits limits = new ClientLimits(clock, 64);
    private final ClientLimiter limiter = limits.limiter("web");

    @Test
    void threadsSharingAClientTakeExactlyItsBurstOnAStoppedClock() throws Exception {
        limiter.configure(new LimitsConfig(0, new LimitsConfig.PerClient(1, 10_000, 0)));
        InetAddress a = InetAddress.ofLiteral("198.51.100.7");
        AtomicLong admitted = new AtomicLong();
        inParallel(() -> {
            ClientState s = limiter.connect(a);
            for (int i = 0; i < 20_000; i++) {
                if (limiter.acquire(s, clock.nanos()) == 0) {
                    admitted.incrementAndGet();
                }
            }
            limiter.disconnect(s);
        });
        assertThat(admitted).hasValue(10_000);
    }

    @Test
    void connectionCountsSurviveConcurrentSweepsAndRemoteDebits() throws Exception {
        limiter.configure(new LimitsConfig(0, new LimitsConfig.PerClient(1_000_000, 1_000_000, 3)));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong forgotten = new AtomicLong();
        Thread sweeper = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                forgotten.addAndGet(limiter.sweep());
                limits.absorbRemote("web", "198.51.100.0", 1);
            }
        });
        try {
            inParallel(() -> {
                for (int i = 0; i < 20_000; i++) {
                    InetAddress client = InetAddress.ofLiteral("198.51.100." + (i % 8));
                    ClientState s = limiter.connect(client);
                    if (s != null) {
                        if (i % 2 == 0) {
                            limiter.acquire(s, clock.nanos()); // odd clients keep full buckets: the sweeper forgets them
                        }
                        limiter.disconnect(s);
                    }
                }
            });
        } finally {
            stop.set(true);
            sweeper.join();
        }
        assertThat(forgotten.get()).as("states forgotten while in use by other threads").isPositive();
        // Every connection was closed again: each client may open exactly its cap.
        for (int c = 0; c < 8; c++) {
            InetAddress client = InetAddress.ofLiteral("198.51.100." + c);
            for (int i = 0; i < 3; i++) {
                assertThat(limiter.connect(client)).as("client %d, connection %d", c, i).isNotNull();
            }
            assertThat(limiter.connect(client)).isNull();
        }
        assertThat(limiter.trackedClients()).isEqualTo(8);
    }

    private static void inParallel(Runnable work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    work.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }
}
