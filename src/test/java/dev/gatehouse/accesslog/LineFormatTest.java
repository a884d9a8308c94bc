package dev.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.AccessLogConfig;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The two line formats: the same fields in the same order, absent values as null or "-". */
class LineFormatTest {

    private static final long T = Instant.parse("2026-12-06T22:50:01.007Z").toEpochMilli();

    private static String format(AccessLogConfig.Format format, Entry e) {
        StringBuilder sb = new StringBuilder();
        new LineFormat(format).format(e, sb);
        return sb.toString();
    }

    @Test
    void jsonHasEveryFieldAndNullForWhatDoesNotApply() {
        Entry http = new Entry(T, new InetSocketAddress("127.0.0.1", 40000), "web", 1, "api", "10.0.0.1:80", 200, 78, 1234,
                250_000, 1_234_567, 2_000_000, 1, Termination.NORMAL);
        assertThat(format(AccessLogConfig.Format.JSON, http)).isEqualTo("{\"time\":\"2026-12-06T22:50:01.007Z\","
                + "\"client\":\"127.0.0.1:40000\",\"listener\":\"web\",\"route\":1,\"pool\":\"api\",\"endpoint\":\"10.0.0.1:80\","
                + "\"status\":200,\"bytes_in\":78,\"bytes_out\":1234,\"connect_ms\":0.250,\"first_byte_ms\":1.234,"
                + "\"total_ms\":2.000,\"retries\":1,\"termination\":\"--\"}\n");
        Entry tcp = new Entry(T + 1000, new InetSocketAddress("::1", 5), "pg", -1, "db", null, 0, 0, 0, -1, -1, 12_000_000_000L,
                0, Termination.CONNECT_FAILED);
        assertThat(format(AccessLogConfig.Format.JSON, tcp)).isEqualTo("{\"time\":\"2026-12-06T22:50:02.007Z\","
                + "\"client\":\"[0:0:0:0:0:0:0:1]:5\",\"listener\":\"pg\",\"route\":null,\"pool\":\"db\",\"endpoint\":null,"
                + "\"status\":null,\"bytes_in\":0,\"bytes_out\":0,\"connect_ms\":null,\"first_byte_ms\":null,"
                + "\"total_ms\":12000.000,\"retries\":0,\"termination\":\"SC\"}\n");
    }

    @Test
    void textHasTheSameFieldsInOrderAndDashForWhatDoesNotApply() {
        Entry e = new Entry(T + 120, new InetSocketAddress("127.0.0.1", 40000), "web", -1, null, null, 408, 10, 80,
                -1, -1, -1, 0, Termination.CLIENT_TIMEOUT);
        assertThat(format(AccessLogConfig.Format.TEXT, e))
                .isEqualTo("2026-12-06T22:50:01.127Z 127.0.0.1:40000 web - - - 408 10 80 - - - 0 cR\n");
    }
}
