package dev.gatehouse.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

@Command(name = "gatehouse", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        versionProvider = GatehouseCommand.Version.class,
        description = "A load balancer whose own tier is never the single point of failure.",
        subcommands = {RunCommand.class, CheckCommand.class, StatusCommand.class, DrainCommand.class, EnableCommand.class,
                       DemoCommand.class, DrillCommand.class, DemoBackendCommand.class, TrainCommand.class})
public final class GatehouseCommand implements Runnable {

    /** Exit code for a config that fails validation (and for usage errors). */
    public static final int INVALID = 2;

    /** Exit code for an expected failure: an admin API that cannot be reached or refuses, a file that cannot be read. */
    static final int FAILED = 1;

    public static CommandLine commandLine() {
        return new CommandLine(new GatehouseCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CommandFailure || e instanceof IOException) {
                cmd.getErr().println("gatehouse: " + describe(e));
                return FAILED;
            }
            throw e;
        });
    }

    /** A file exception's message is the bare path; say what happened to it. */
    private static String describe(Exception e) {
        return switch (e) {
            case NoSuchFileException f -> "no such file: " + f.getFile();
            case AccessDeniedException f -> "permission denied: " + f.getFile();
            default -> e.getMessage();
        };
    }

    @Override
    public void run() {
        commandLine().usage(System.out);
    }

    /** The version and commit the build recorded in {@code dev/gatehouse/build.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties build = new Properties();
            try (InputStream in = GatehouseCommand.class.getResourceAsStream("/dev/gatehouse/build.properties")) {
                if (in == null) {
                    return new String[] {"gatehouse (a build without dev/gatehouse/build.properties)"};
                }
                build.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"gatehouse " + build.getProperty("version") + " (commit " + build.getProperty("commit") + ")"};
        }
    }
}
