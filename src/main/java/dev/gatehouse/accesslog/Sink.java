package dev.gatehouse.accesslog;

import java.io.IOException;

/** Where formatted lines go; used by the writer's thread only. */
public interface Sink extends AutoCloseable {

    /** Appends {@code line}, which ends with a newline; it may sit in a buffer until {@link #flush}. */
    void write(CharSequence line) throws IOException;

    void flush() throws IOException;

    /** Closes the file and opens its path again (after logrotate moved it); nothing for standard output. */
    void reopen() throws IOException;

    @Override
    void close() throws IOException;
}
