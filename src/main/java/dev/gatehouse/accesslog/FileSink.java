package dev.gatehouse.accesslog;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file opened for appending (created when missing), or standard output when the path is null. */
final class FileSink implements Sink {

    private static final int BUFFER = 64 * 1024;

    private final Path file;
    private Writer out;

    FileSink(Path file) throws IOException {
        this.file = file;
        this.out = open();
    }

    private Writer open() throws IOException {
        OutputStream stream = file == null ? new FileOutputStream(FileDescriptor.out)
                : Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), BUFFER);
    }

    @Override
    public void write(CharSequence line) throws IOException {
        out.append(line);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void reopen() throws IOException {
        if (file == null) {
            return;
        }
        Writer old = out;
        out = open();
        old.close();
    }

    @Override
    public void close() throws IOException {
        if (file == null) {
            out.flush(); // standard output stays open for the rest of the process
        } else {
            out.close();
        }
    }
}
