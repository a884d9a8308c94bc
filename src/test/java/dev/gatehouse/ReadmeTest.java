package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README.md as a renderer reads it: every section a heading, every table a table, every code block closed. */
@Timeout(30)
class ReadmeTest {

    private static final Pattern HEADING_LINE = Pattern.compile("^(#{1,6}) (.+)$", Pattern.MULTILINE);
    private static final Pattern TABLE_RULE = Pattern.compile("^\\|(\\s*:?-+:?\\s*\\|)+\\s*$", Pattern.MULTILINE);

    private static String source;
    private static final List<String> headings = new ArrayList<>();
    private static final List<String> codeBlocks = new ArrayList<>();
    private static int tables;

    @BeforeAll
    static void render() throws IOException {
        source = Files.readString(Path.of("README.md"));
        Node document = Parser.builder().extensions(List.of(TablesExtension.create())).build().parse(source);
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                StringBuilder text = new StringBuilder();
                heading.accept(new AbstractVisitor() {
                    @Override
                    public void visit(Text t) {
                        text.append(t.getLiteral());
                    }

                    @Override
                    public void visit(org.commonmark.node.Code code) {
                        text.append('`').append(code.getLiteral()).append('`');
                    }
                });
                headings.add("#".repeat(heading.getLevel()) + " " + text);
            }

            @Override
            public void visit(FencedCodeBlock block) {
                codeBlocks.add(block.getLiteral());
            }

            @Override
            public void visit(org.commonmark.node.CustomBlock block) {
                if (block instanceof TableBlock) {
                    tables++;
                }
                visitChildren(block);
            }
        });
    }

    @Test
    void everyHeadingLineOfTheSourceIsAHeading() {
        List<String> written = new ArrayList<>();
        Matcher m = HEADING_LINE.matcher(source);
        while (m.find()) {
            written.add(m.group(1) + " " + m.group(2).strip());
        }
        assertThat(written).hasSizeGreaterThan(10);
        assertThat(headings).containsExactlyElementsOf(written);
    }

    @Test
    void noCodeBlockSwallowsASectionOrRunsToTheEnd() {
        assertThat(codeBlocks).noneMatch(code -> HEADING_LINE.matcher(code).find());
        assertThat(source.lines().filter(line -> line.startsWith("```")).count()).as("fences open and close in pairs")
                .isEven();
    }

    @Test
    void everyTableRendersAsATable() {
        long written = TABLE_RULE.matcher(source).results().count();
        assertThat(written).isPositive();
        assertThat(tables).isEqualTo((int) written);
    }
}
