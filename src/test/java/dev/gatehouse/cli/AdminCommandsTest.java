package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.FreePorts;
import dev.gatehouse.node.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands as an operator meets them, in this JVM and as a child process, against a real node's admin
 * API: the token from --token-file or the environment, every expected failure in one line with exit 1 and no
 * stack trace, help on every command, and the version the build recorded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminCommandsTest {

    private static final String WRITE = "cli-write-token-0123456789abcdef";
    private static final String READ = "cli-read-token-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void anUnreachableAdminApiIsOneLineAndExit1() {
        String closed = "127.0.0.1:" + FreePorts.on("127.0.0.1");
        String line = "gatehouse: cannot reach the admin API at " + closed + ": connection refused\n";
        for (String[] args : List.of(new String[] {"status", "--admin", closed}, new String[] {"drain", "web", "127.0.0.1:1", "--admin", closed},
                new String[] {"enable", "web", "127.0.0.1:1", "--admin", closed}, new String[] {"drill", "--admin", closed})) {
            CheckCommandTest.Run run = CheckCommandTest.run(args);
            assertThat(run.code()).as(args[0]).isEqualTo(1);
            assertThat(run.err()).as(args[0]).isEqualTo(line);
            assertThat(run.out()).as(args[0]).isEmpty();
        }
    }

    @Test
    void aConfigThatCannotBeReadOrAnAdminPortThatIsTakenIsOneLine() throws Exception {
        assertOneLine(CheckCommandTest.run("run", "-c", dir.resolve("missing.yaml").toString()),
                "no such file: " + dir.resolve("missing.yaml"));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path file = dir.resolve("taken.yaml");
            Files.writeString(file, "node: { id: lb1, admin: \"127.0.0.1:" + taken.getLocalPort() + "\" }\nlisteners: []\npools: {}\n");
            assertOneLine(CheckCommandTest.run("run", "-c", file.toString()),
                    "cannot bind the admin API to 127.0.0.1:" + taken.getLocalPort() + ": Address already in use");
        }
    }

    @Test
    void writesSendTheTokenAndEveryRefusalIsOneLine() throws Exception {
        Files.writeString(dir.resolve("admin.token"), WRITE + "\n");
        Files.writeString(dir.resolve("read.token"), READ + "\n");
        Files.writeString(dir.resolve("wrong.token"), "not-the-token-of-this-node\n");
        try (TestNode lb = TestNode.start(dir, 1, """
                node: { id: lb1, admin: { bind: 127.0.0.1:0, token_file: admin.token, read_token_file: read.token } }
                listeners:
                  - { name: web, bind: 127.0.0.1:0, routes: [ { pool: web } ] }
                pools:
                  web: { endpoints: [ { address: "${be1}" } ] }
                """)) {
            String admin = "127.0.0.1:" + lb.node.adminAddress().getPort();
            String be1 = "127.0.0.1:" + lb.backend("be1").port();

            assertOneLine(CheckCommandTest.run("drain", "web", be1, "--admin", admin),
                    "the admin API at " + admin + " needs a token: pass --token-file FILE or set GATEHOUSE_ADMIN_TOKEN_FILE");
            assertOneLine(CheckCommandTest.run("drain", "web", be1, "--admin", admin, "--token-file", dir.resolve("read.token").toString()),
                    "the admin API at " + admin + " refused the token in " + dir.resolve("read.token")
                            + ": it is the read token; this needs the write token");
            assertOneLine(CheckCommandTest.run("status", "--admin", admin, "--token-file", dir.resolve("wrong.token").toString()),
                    "the admin API at " + admin + " refused the token in " + dir.resolve("wrong.token") + ": it is not one of its tokens");
            assertOneLine(CheckCommandTest.run("status", "--admin", admin, "--token-file", dir.resolve("nothing.token").toString()),
                    "cannot read the token file " + dir.resolve("nothing.token") + ": no such file");

            CheckCommandTest.Run status = CheckCommandTest.run("status", "--admin", admin, "--token-file", dir.resolve("read.token").toString());
            assertThat(status.code()).as(status.err()).isZero();
            assertThat(status.out()).contains("node lb1").containsPattern(Pattern.quote(be1) + "\\s+-\\s+1\\s+\\d+\\s+healthy");

            CheckCommandTest.Run drain = CheckCommandTest.run("drain", "web", be1, "--admin", admin, "--token-file",
                    dir.resolve("admin.token").toString());
            assertThat(drain.code()).as(drain.err()).isZero();
            assertThat(drain.out()).isEqualTo("web/" + be1 + ": draining\n");
            assertThat(lb.node.events().recent()).anyMatch(e -> e.type().equals("admin") && e.detail().startsWith("by token admin.token"));

            // a real process, the token from the environment, exits 0; the same command without it: one line, exit 1
            Process enable = child(List.of("enable", "web", be1, "--admin", admin),
                    Map.of(TokenOption.FILE_VARIABLE, dir.resolve("admin.token").toString()));
            assertThat(enable.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(output(enable)).isEqualTo("web/" + be1 + ": enabled\n");
            assertThat(enable.exitValue()).isZero();
            Process byValue = child(List.of("drain", "web", be1, "--admin", admin), Map.of(TokenOption.TOKEN_VARIABLE, WRITE));
            assertThat(byValue.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(output(byValue)).isEqualTo("web/" + be1 + ": draining\n");
            Process refused = child(List.of("drain", "web", be1, "--admin", admin), Map.of());
            assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(output(refused)).isEqualTo("gatehouse: the admin API at " + admin
                    + " needs a token: pass --token-file FILE or set GATEHOUSE_ADMIN_TOKEN_FILE\n");
            assertThat(refused.exitValue()).isEqualTo(1);
        }
    }

    @Test
    void aChildProcessThatCannotReachTheApiPrintsOneLine() throws Exception {
        String closed = "127.0.0.1:" + FreePorts.on("127.0.0.1");
        Process status = child(List.of("status", "--admin", closed), Map.of());
        assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output(status)).isEqualTo("gatehouse: cannot reach the admin API at " + closed + ": connection refused\n");
        assertThat(status.exitValue()).isEqualTo(1);
    }

    @Test
    void everyCommandTakesHelp() {
        for (String name : GatehouseCommand.commandLine().getSubcommands().keySet()) {
            for (String flag : new String[] {"-h", "--help"}) {
                CheckCommandTest.Run run = CheckCommandTest.run(name, flag);
                assertThat(run.code()).as(name + " " + flag + ": " + run.err()).isZero();
                assertThat(run.out()).as(name).startsWith("Usage: gatehouse " + name).contains("-h, --help");
            }
        }
        assertThat(CheckCommandTest.run("drain", "--help").out()).contains("--token-file=FILE").contains("GATEHOUSE_ADMIN_TOKEN_FILE");
        assertThat(CheckCommandTest.run("drill", "--help").out()).contains("--token-file=FILE");
    }

    @Test
    void versionIsThePomsVersionAndTheBuildsCommit() throws Exception {
        Matcher pom = Pattern.compile("<artifactId>gatehouse</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(pom.find()).isTrue();
        CheckCommandTest.Run run = CheckCommandTest.run("--version");
        assertThat(run.code()).isZero();
        assertThat(run.out()).matches("gatehouse " + Pattern.quote(pom.group(1)) + " \\(commit ([0-9a-f]{7,40}(-dirty)?|unknown)\\)\n");
    }

    private static void assertOneLine(CheckCommandTest.Run run, String message) {
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("gatehouse: " + message + "\n");
        assertThat(run.out()).isEmpty();
    }

    /** {@code gatehouse ARGS} as a process, with no admin token in its environment but those in {@code env}. */
    private Process child(List<String> args, Map<String, String> env) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), "dev.gatehouse.Main"));
        cmd.addAll(args);
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().remove(TokenOption.FILE_VARIABLE);
        b.environment().remove(TokenOption.TOKEN_VARIABLE);
        b.environment().putAll(env);
        return b.start();
    }

    private static String output(Process p) throws Exception {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
