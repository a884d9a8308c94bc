package dev.gatehouse.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The live dashboard: one static page that polls the status API and follows the event stream. */
final class Dashboard {

    private static final String HTML = load();

    private Dashboard() {}

    static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
