package dev.gatehouse.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The admin token a client command sends: {@code --token-file FILE}, else the file named by
 * {@code GATEHOUSE_ADMIN_TOKEN_FILE}, else the token in {@code GATEHOUSE_ADMIN_TOKEN}, else none (reads of an
 * admin API without a read token need none).
 */
final class TokenOption {

    static final String FILE_VARIABLE = "GATEHOUSE_ADMIN_TOKEN_FILE";
    static final String TOKEN_VARIABLE = "GATEHOUSE_ADMIN_TOKEN";

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "admin token to send (default: the file in $" + FILE_VARIABLE + ", else the token in $" + TOKEN_VARIABLE + ")")
    Path file;

    /** The token and where it came from, as error messages name it; null when none was given. */
    record Token(String value, String source) {}

    Token token() {
        if (file != null) {
            return new Token(read(file), "the token in " + file);
        }
        String fromEnv = System.getenv(FILE_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new Token(read(Path.of(fromEnv)), "the token in " + fromEnv + " ($" + FILE_VARIABLE + ")");
        }
        String value = System.getenv(TOKEN_VARIABLE);
        if (value != null && !value.isBlank()) {
            return new Token(value.strip(), "the token in $" + TOKEN_VARIABLE);
        }
        return null;
    }

    private static String read(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new CommandFailure("the token file " + file + " is empty");
            }
            return token;
        } catch (NoSuchFileException e) {
            throw new CommandFailure("cannot read the token file " + file + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure("cannot read the token file " + file + ": " + e.getMessage());
        }
    }
}
