package dev.gatehouse.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.metrics.ListenerStats;
import dev.gatehouse.proxy.http.codec.Refusal;
import dev.gatehouse.time.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Every refusal is counted; at most one line a second is logged, and it says how many went unlogged. */
@Timeout(10)
class RefusalLogTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ListenerStats stats = new ListenerStats();
    private final RefusalLog log = new RefusalLog("web", stats, ticker);
    private final Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void logsOneLineASecondWithTheCountOfTheRest() {
        for (int i = 0; i < 1000; i++) {
            log.refused(Refusal.URI_TOO_LONG, "request target too long", "192.0.2.1");
        }
        log.refused(Refusal.OBS_FOLD, "obsolete line folding", "192.0.2.2");
        assertThat(lines.list).hasSize(1);
        assertThat(lines.list.getFirst().getFormattedMessage())
                .isEqualTo("listener web refused a request from 192.0.2.1: 414 uri_too_long (request target too long)");

        ticker.advance(Duration.ofMillis(999));
        log.refused(Refusal.OBS_FOLD, "obsolete line folding", "192.0.2.2");
        assertThat(lines.list).hasSize(1);

        ticker.advance(Duration.ofMillis(1));
        log.refused(Refusal.BAD_HOST, "missing Host header", "192.0.2.3");
        assertThat(lines.list).hasSize(2);
        assertThat(lines.list.get(1).getFormattedMessage()).isEqualTo(
                "listener web refused a request from 192.0.2.3: 400 bad_host (missing Host header); 1001 more refused since the last line");

        assertThat(stats.refusedRequests("uri_too_long")).isEqualTo(1000);
        assertThat(stats.refusedRequests("obs_fold")).isEqualTo(2);
        assertThat(stats.refusedRequests("bad_host")).isEqualTo(1);
        assertThat(stats.refusedRequests("header_too_large")).isZero();
    }
}
