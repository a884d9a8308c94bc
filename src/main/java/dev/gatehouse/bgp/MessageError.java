package dev.gatehouse.bgp;

/** A received message broke the protocol; {@link #notification} is what the peer must be told before closing. */
final class MessageError extends Exception {

    private final transient Notification notification;

    MessageError(Notification notification, String detail) {
        super(detail, null, false, false);
        this.notification = notification;
    }

    MessageError(int code, int subcode, byte[] data, String detail) {
        this(new Notification(code, subcode, data), detail);
    }

    MessageError(int code, int subcode, String detail) {
        this(new Notification(code, subcode), detail);
    }

    Notification notification() {
        return notification;
    }
}
