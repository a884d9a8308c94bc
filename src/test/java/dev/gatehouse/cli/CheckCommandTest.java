package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsEveryErrorWithFileLineAndPathAndExits2() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                node: { id: lb1 }
                listeners:
                  - name: web
                    bind: 127.0.0.1:99999
                    routes: [ { pool: nowhere } ]
                pools:
                  web:
                    balance: fastest
                    endpoints: [ { address: 127.0.0.1:9001, weight: 0 } ]
                """);
        Run run = run("check", "-c", file.toString());
        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains(file + ":4 listeners[0].bind")
                .contains(file + ":5 listeners[0].routes[0].pool")
                .contains(file + ":8 pools.web.balance")
                .contains(file + ":9 pools.web.endpoints[0].weight");
    }

    @Test
    void theEmbeddedDemoConfigsAreValid() throws Exception {
        DemoCommand.writeConfigs(dir);
        for (String member : new String[] {"lb1", "lb2", "w1"}) {
            Run run = run("check", "-c", dir.resolve(member + ".yaml").toString());
            assertThat(run.code).as(run.err).isZero();
            assertThat(run.out).contains("ok (2 listener(s), 2 pool(s), cluster demo-edge)");
            assertThat(dev.gatehouse.config.ConfigLoader.load(dir.resolve(member + ".yaml")).config().node().adminAccess().write())
                    .as("the demo's members take writes with the token it made").isNotNull();
        }
        for (String secret : new String[] {"admin.token", "cluster.key"}) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(secret))))
                    .as(secret).isEqualTo("rw-------");
        }
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = GatehouseCommand.commandLine().execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
