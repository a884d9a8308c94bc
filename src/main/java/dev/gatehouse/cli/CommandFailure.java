package dev.gatehouse.cli;

/** An expected failure of a command (a refused token, a file that cannot be read): one line, exit 1, no stack trace. */
final class CommandFailure extends RuntimeException {

    CommandFailure(String message) {
        super(message, null, false, false);
    }
}
