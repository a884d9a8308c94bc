package dev.gatehouse.config;

/** An inclusive range of HTTP status codes, written {@code 200-399} or a single {@code 200}. */
public record StatusRange(int low, int high) {

    public static final StatusRange SUCCESS_OR_REDIRECT = new StatusRange(200, 399);

    public StatusRange {
        if (low < 100 || high > 599) {
            throw new IllegalArgumentException("status codes must be within 100..599, got " + low + "-" + high);
        }
        if (low > high) {
            throw new IllegalArgumentException("range is empty: " + low + " is above " + high);
        }
    }

    /** @throws IllegalArgumentException when the text is not a status or range within 100..599 */
    public static StatusRange parse(String text) {
        String t = text.strip();
        int dash = t.indexOf('-');
        return dash < 0
                ? new StatusRange(status(t, text), status(t, text))
                : new StatusRange(status(t.substring(0, dash), text), status(t.substring(dash + 1), text));
    }

    private static int status(String part, String whole) {
        if (!part.strip().matches("\\d{3}")) {
            throw new IllegalArgumentException("must be a status such as 200 or a range such as 200-399, got '" + whole + "'");
        }
        return Integer.parseInt(part.strip());
    }

    @Override
    public String toString() {
        return low == high ? Integer.toString(low) : low + "-" + high;
    }
}
