package dev.gatehouse.stick;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.StickConfig;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StickTableTest {

    private static final long A = 0x1111L;
    private static final long B = 0x2222L;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final StickTables tables = new StickTables(now::get);

    private StickTable table(Duration expire, int size) {
        return tables.configure("web", new StickConfig(expire, size));
    }

    @Test
    void aRecordedKeyGoesToItsEndpointUntilItExpires() {
        StickTable t = table(Duration.ofSeconds(60), 1000);
        assertThat(t.lookup(42)).isEqualTo(StickTable.NONE);
        t.record(42, A);
        assertThat(t.lookup(42)).isEqualTo(A);
        assertThat(t.lookup(43)).isEqualTo(StickTable.NONE);
        now.addAndGet(60_000);
        assertThat(t.lookup(42)).isEqualTo(StickTable.NONE);
    }

    @Test
    void aKeyInUseIsRenewedInTheSecondHalfOfItsLifeAndTheRenewalQueuedOnce() {
        StickTable t = table(Duration.ofSeconds(60), 1000);
        t.record(42, A);
        assertThat(t.takePending(100).size()).isEqualTo(1);
        now.addAndGet(20_000);
        assertThat(t.lookup(42)).isEqualTo(A);
        assertThat(t.takePending(100)).as("first half: no renewal").isNull();
        now.addAndGet(20_000);
        assertThat(t.lookup(42)).isEqualTo(A);
        assertThat(t.lookup(42)).isEqualTo(A);
        StickTable.Batch renewal = t.takePending(100);
        assertThat(renewal.entries()).containsExactly(42, A, now.get() + 60_000);
        now.addAndGet(59_000);
        assertThat(t.lookup(42)).as("alive 99 s after recording, since it was used").isEqualTo(A);
    }

    @Test
    void aFullTableEvictsTheEntriesClosestToExpiryAndStaysUnderItsCap() {
        StickTable t = table(Duration.ofMinutes(30), 1600);
        SplittableRandom random = new SplittableRandom(7);
        long first = random.nextLong();
        t.record(first, A);
        long last = 0;
        for (int i = 0; i < 20_000; i++) {
            now.incrementAndGet(); // each entry expires a little later than the one before
            last = random.nextLong();
            t.record(last, B);
            assertThat(t.entries()).isLessThanOrEqualTo(1600);
        }
        assertThat(t.evicted()).isGreaterThan(18_000);
        assertThat(t.lookup(first)).as("oldest").isEqualTo(StickTable.NONE);
        assertThat(t.lookup(last)).as("newest").isEqualTo(B);
        assertThat(t.bytes()).isLessThan(1_000_000);
    }

    @Test
    void expiredEntriesMakeRoomBeforeAnyLiveOneIsEvicted() {
        StickTable t = table(Duration.ofSeconds(10), 1600);
        SplittableRandom random = new SplittableRandom(9);
        // 1000 keys spread over 16 segments of 100 stay under each segment's cap; 2000 would not
        for (int i = 0; i < 1000; i++) {
            t.record(random.nextLong(), A);
        }
        now.addAndGet(10_000);
        for (int i = 0; i < 1000; i++) {
            t.record(random.nextLong(), B);
        }
        assertThat(t.evicted()).isZero();
        t.purgeExpired();
        assertThat(t.entries()).isEqualTo(1000);
    }

    @Test
    void entriesFromTheLogKeepTheLaterExpiryForTheSameEndpointAndFollowTheLogOtherwise() {
        StickTable t = table(Duration.ofSeconds(60), 1000);
        t.record(42, A);
        t.apply(42, A, now.get() + 1_000);
        now.addAndGet(30_000);
        assertThat(t.lookup(42)).as("the local, later expiry stands").isEqualTo(A);
        t.apply(42, B, now.get() + 1_000);
        assertThat(t.lookup(42)).isEqualTo(B);
        t.apply(7, A, now.get() - 1);
        assertThat(t.lookup(7)).as("already expired").isEqualTo(StickTable.NONE);
        t.apply(0, A, now.get() + 1_000);
        t.apply(8, StickTable.NONE, now.get() + 1_000);
        assertThat(t.entries()).isEqualTo(1);
    }

    @Test
    void theReplicationQueueIsBoundedAndCountsWhatItDrops() {
        StickTable t = table(Duration.ofSeconds(60), 1000);
        long start = now.get();
        for (int i = 1; i <= 1100; i++) {
            t.record(i, A);
            now.incrementAndGet();
        }
        assertThat(t.dropped()).isEqualTo(1100 - 1024);
        StickTable.Batch batch = t.takePending(1000);
        assertThat(batch.size()).isEqualTo(1000);
        assertThat(batch.recordedAt()).isEqualTo(start);
        assertThat(batch.entries()).startsWith(1, A, start + 60_000);
        assertThat(t.takePending(1000).size()).isEqualTo(24);
        assertThat(t.takePending(1000)).isNull();
    }

    @Test
    void aBatchTheClusterDidNotTakeGoesOutAgainBeforeLaterUpdates() {
        StickTable t = table(Duration.ofSeconds(60), 1000);
        long start = now.get();
        t.record(1, A);
        t.record(2, A);
        StickTable.Batch refused = t.takePending(10);
        now.addAndGet(5);
        t.record(3, B);
        t.retry(refused);
        StickTable.Batch again = t.takePending(10);
        assertThat(again.recordedAt()).isEqualTo(start);
        assertThat(again.entries()).containsExactly(1, A, start + 60_000, 2, A, start + 60_000, 3, B, start + 60_005);
        assertThat(t.dropped()).isZero();

        for (int i = 10; i < 10 + 1024; i++) {
            t.record(i, B);
        }
        t.retry(again);
        assertThat(t.dropped()).as("no room left in the queue").isEqualTo(3);
    }

    @Test
    void aReloadedPoolGetsTheSameTableWithItsEntriesWhateverItsNewSize() {
        StickTable t = table(Duration.ofSeconds(60), 1000);
        for (int i = 1; i <= 500; i++) {
            t.record(i * 0x9E3779B97F4A7C15L, A);
        }
        StickTable again = table(Duration.ofSeconds(120), 5000);
        assertThat(again).isSameAs(t);
        assertThat(again.entries()).isEqualTo(500);
        assertThat(again.lookup(0x9E3779B97F4A7C15L)).isEqualTo(A);
        assertThat(tables.forLog("other")).isNotSameAs(t);
    }

    @Test
    void theLogCannotCreateTablesWithoutBound() {
        for (int i = 0; i < StickTables.MAX_TABLES; i++) {
            assertThat(tables.forLog("pool" + i)).isNotNull();
        }
        assertThat(tables.forLog("one-too-many")).isNull();
        assertThat(tables.forLog("pool0")).isNotNull();
    }
}
