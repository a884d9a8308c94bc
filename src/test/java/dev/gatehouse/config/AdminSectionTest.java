package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code node.admin}: the short form, the long form with its token files, and every way a token file is refused. */
class AdminSectionTest {

    private static final String WRITE = "0123456789abcdef-write";
    private static final String READ = "0123456789abcdef-read";

    @RegisterExtension
    final ConfigFixture fixture = new ConfigFixture();

    @BeforeEach
    void tokens() throws Exception {
        Files.writeString(fixture.dir().resolve("admin.token"), "  " + WRITE + "\n\n");
        Files.writeString(fixture.dir().resolve("read.token"), READ + "\n");
    }

    private static String config(String admin) {
        return "node: { id: lb1, admin: " + admin + " }\nlisteners: []\npools: {}\n";
    }

    @Test
    void theShortFormReadsOpenlyAndTakesNoWrites() {
        NodeConfig node = fixture.parse(config("127.0.0.1:9901")).config().node();
        assertThat(node.admin()).isEqualTo(new HostPort("127.0.0.1", 9901));
        assertThat(node.adminAccess()).isEqualTo(AdminAccess.READ_ONLY);
    }

    @Test
    void theLongFormReadsTrimmedTokensNamedForTheirFiles() throws Exception {
        Files.createDirectories(fixture.dir().resolve("secrets"));
        Files.writeString(fixture.dir().resolve("secrets/ops.token"), READ);
        NodeConfig node = fixture.parse(config("{ bind: 127.0.0.1:9901, token_file: admin.token, read_token_file: secrets/ops.token }"))
                .config().node();
        assertThat(node.admin()).isEqualTo(new HostPort("127.0.0.1", 9901));
        AdminAccess access = node.adminAccess();
        assertThat(access.write().name()).isEqualTo("admin.token");
        assertThat(access.read().name()).isEqualTo("ops.token");
        assertThat(access.write().matches(WRITE)).isTrue();
        assertThat(access.read().matches(READ)).isTrue();
        assertThat(access.write().toString()).doesNotContain(WRITE);
    }

    @Test
    void aTokenMatchesOnlyItselfWhole() {
        AdminToken token = AdminToken.of("admin.token", WRITE);
        assertThat(token.matches(WRITE)).isTrue();
        assertThat(token.matches(WRITE.substring(0, WRITE.length() - 1))).as("a prefix").isFalse();
        assertThat(token.matches(WRITE + "x")).as("longer").isFalse();
        assertThat(token.matches(WRITE.substring(0, WRITE.length() - 1) + "X")).as("the last character differs").isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(token).isEqualTo(AdminToken.of("admin.token", WRITE)).isNotEqualTo(AdminToken.of("admin.token", READ));
    }

    @Test
    void aTokenFileThatCannotServeIsAnErrorAtItsLine() throws Exception {
        Files.writeString(fixture.dir().resolve("empty.token"), " \n");
        Files.writeString(fixture.dir().resolve("short.token"), "abc123\n");
        Files.writeString(fixture.dir().resolve("spaced.token"), "two words in one token file\n");
        assertThat(errors("{ bind: 127.0.0.1:9901, token_file: missing.token }")).singleElement().asString()
                .startsWith("gh.yaml:1 node.admin.token_file: cannot read " + fixture.dir().resolve("missing.token") + ": no such file");
        assertThat(errors("{ bind: 127.0.0.1:9901, token_file: empty.token }"))
                .containsExactly("gh.yaml:1 node.admin.token_file: " + fixture.dir().resolve("empty.token") + " is empty");
        assertThat(errors("{ bind: 127.0.0.1:9901, token_file: short.token }")).singleElement().asString()
                .startsWith("gh.yaml:1 node.admin.token_file: " + fixture.dir().resolve("short.token") + " holds a token of 6 characters; use at least 16");
        assertThat(errors("{ bind: 127.0.0.1:9901, read_token_file: spaced.token }")).singleElement().asString()
                .contains("node.admin.read_token_file: ").contains("without spaces");
        assertThat(errors("{ bind: 127.0.0.1:9901, token_file: admin.token, read_token_file: admin.token }"))
                .containsExactly("gh.yaml:1 node.admin.read_token_file: holds the same token as token_file: "
                        + "a read token must not be able to write");
    }

    @Test
    void theLongFormNeedsABindAndKnowsItsKeys() {
        assertThat(errors("{ token_file: admin.token }")).containsExactly("gh.yaml:1 node.admin.bind: is required");
        assertThat(errors("{ bind: 127.0.0.1:9901, tokenfile: admin.token }")).singleElement().asString()
                .startsWith("gh.yaml:1 node.admin.tokenfile: unknown key").contains("token_file");
        assertThat(errors("{ bind: 127.0.0.1:9901, tls: { cert: a.crt } }")).singleElement().asString()
                .startsWith("gh.yaml:1 node.admin.tls: unknown key");
    }

    @Test
    void aRotatedTokenIsAChangeOfTheNodeSection() throws Exception {
        String yaml = config("{ bind: 127.0.0.1:9901, token_file: admin.token }");
        NodeConfig before = fixture.parse(yaml).config().node();
        assertThat(fixture.parse(yaml).config().node()).isEqualTo(before);
        Files.writeString(fixture.dir().resolve("admin.token"), "a-new-token-after-rotation\n");
        assertThat(fixture.parse(yaml).config().node()).isNotEqualTo(before);
    }

    private java.util.List<String> errors(String admin) {
        return fixture.errors(config(admin));
    }
}
