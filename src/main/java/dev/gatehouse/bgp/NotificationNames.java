package dev.gatehouse.bgp;

/** The IANA names of NOTIFICATION codes and subcodes, for logs and status. */
final class NotificationNames {

    private static final String[] CODES = {"", "message header error", "OPEN message error", "UPDATE message error",
        "hold timer expired", "finite state machine error", "cease"};
    private static final String[][] SUBCODES = {
        {},
        {"", "connection not synchronized", "bad message length", "bad message type"},
        {"", "unsupported version number", "bad peer AS", "bad BGP identifier", "unsupported optional parameter", "",
            "unacceptable hold time", "unsupported capability"},
        {"", "malformed attribute list", "unrecognized well-known attribute", "missing well-known attribute",
            "attribute flags error", "attribute length error", "invalid ORIGIN attribute", "",
            "invalid NEXT_HOP attribute", "optional attribute error", "invalid network field", "malformed AS_PATH"},
        {},
        {"", "unexpected message in OpenSent", "unexpected message in OpenConfirm",
            "unexpected message in Established"},
        {"", "maximum number of prefixes reached", "administrative shutdown", "peer de-configured",
            "administrative reset", "connection rejected", "other configuration change",
            "connection collision resolution", "out of resources", "hard reset", "BFD down"},
    };

    private NotificationNames() {}

    static String of(int code, int subcode) {
        if (code < 1 || code >= CODES.length) {
            return "unknown error";
        }
        String sub = subcode > 0 && subcode < SUBCODES[code].length ? SUBCODES[code][subcode] : "";
        return sub.isEmpty() ? CODES[code] : CODES[code] + ": " + sub;
    }
}
