package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packages of the main sources form layers: a package may use those below it, never one that uses it back. A
 * package uses another when one of its files names it, in an import or in a qualified name in the code (comments
 * and string literals do not count).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PackageCyclesTest {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern NAME = Pattern.compile("\\bdev\\.gatehouse(?:\\.\\w+)*");

    @Test
    void theMainSourcesHaveNoPackageCycle() {
        assertThat(cycles(Path.of("src/main/java"))).as("package cycles in the main sources").isEmpty();
    }

    @Test
    void aCycleIsFoundAndNamedWithTheFilesThatMakeIt(@TempDir Path dir) throws IOException {
        write(dir, "a/A.java", "package dev.gatehouse.a;\nimport dev.gatehouse.b.B;\nclass A { B b; }\n");
        write(dir, "b/B.java", """
                package dev.gatehouse.b;
                // dev.gatehouse.c.C in a comment is no use
                class B { Object a = dev.gatehouse.a.A.class; String s = "dev.gatehouse.c.C"; char q = '"'; }
                """);
        write(dir, "c/C.java", "package dev.gatehouse.c;\nimport static dev.gatehouse.a.A.of;\nclass C {}\n");

        assertThat(cycles(dir)).containsExactly(
                "dev.gatehouse.a -> dev.gatehouse.b (a/A.java) -> dev.gatehouse.a (b/B.java)");
    }

    /** Every cycle between packages under {@code root}, each as the shortest one through its first package. */
    static List<String> cycles(Path root) {
        Map<String, Map<String, Path>> uses = uses(root); // package -> used package -> first file that uses it
        TreeSet<String> found = new TreeSet<>();
        for (String start : uses.keySet()) {
            List<String> cycle = shortestCycle(uses, start);
            if (cycle == null) {
                continue;
            }
            // Rotate to begin at its least package, so each cycle is reported once.
            int least = cycle.indexOf(Collections.min(cycle));
            List<String> ordered = new ArrayList<>(cycle.subList(least, cycle.size()));
            ordered.addAll(cycle.subList(0, least));
            StringBuilder text = new StringBuilder(ordered.getFirst());
            for (int i = 0; i < ordered.size(); i++) {
                String from = ordered.get(i);
                String to = ordered.get((i + 1) % ordered.size());
                text.append(" -> ").append(to).append(" (")
                        .append(root.relativize(uses.get(from).get(to)).toString().replace('\\', '/')).append(')');
            }
            found.add(text.toString());
        }
        return List.copyOf(found);
    }

    /** The packages from {@code start} back to it by the fewest uses, or null when none leads back. */
    private static List<String> shortestCycle(Map<String, Map<String, Path>> uses, String start) {
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(uses.get(start).keySet());
        uses.get(start).keySet().forEach(next -> cameFrom.put(next, start));
        while (!queue.isEmpty()) {
            String at = queue.poll();
            if (at.equals(start)) {
                List<String> path = new ArrayList<>();
                for (String p = cameFrom.get(start); !p.equals(start); p = cameFrom.get(p)) {
                    path.addFirst(p);
                }
                path.addFirst(start);
                return path;
            }
            for (String next : uses.getOrDefault(at, Map.of()).keySet()) {
                if (!cameFrom.containsKey(next)) {
                    cameFrom.put(next, at);
                    queue.add(next);
                }
            }
        }
        return null;
    }

    private static Map<String, Map<String, Path>> uses(Path root) {
        Map<Path, String> code = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                code.put(file, codeOnly(Files.readString(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<Path, String> packageOf = new HashMap<>();
        code.forEach((file, text) -> {
            Matcher m = PACKAGE.matcher(text);
            assertThat(m.find()).as("%s declares its package", file).isTrue();
            packageOf.put(file, m.group(1));
        });
        TreeSet<String> packages = new TreeSet<>(packageOf.values());
        Map<String, Map<String, Path>> uses = new TreeMap<>();
        packages.forEach(p -> uses.put(p, new TreeMap<>()));
        code.forEach((file, text) -> {
            String from = packageOf.get(file);
            Matcher m = NAME.matcher(text);
            while (m.find()) {
                String to = packageNamed(packages, m.group());
                if (to != null && !to.equals(from)) {
                    uses.get(from).putIfAbsent(to, file);
                }
            }
        });
        return uses;
    }

    /** The longest known package that {@code name} (a package, a type or a static member) lies in. */
    private static String packageNamed(TreeSet<String> packages, String name) {
        for (String candidate = name; ; candidate = candidate.substring(0, candidate.lastIndexOf('.'))) {
            if (packages.contains(candidate)) {
                return candidate;
            }
            if (candidate.indexOf('.') < 0) {
                return null;
            }
        }
    }

    /** The source with comments, string and char literals (text blocks too) blanked out. */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int n = source.length();
        for (int i = 0; i < n; ) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                i = end(source, source.indexOf('\n', i), 0);
            } else if (source.startsWith("/*", i)) {
                i = end(source, source.indexOf("*/", i + 2), 2);
            } else if (source.startsWith("\"\"\"", i)) {
                i = skipQuoted(source, i + 3, "\"\"\"");
            } else if (c == '"' || c == '\'') {
                i = skipQuoted(source, i + 1, String.valueOf(c));
            } else {
                out.append(c);
                i++;
                continue;
            }
            out.append(' ');
        }
        return out.toString();
    }

    private static int skipQuoted(String source, int from, String close) {
        for (int i = from; i < source.length(); i++) {
            if (source.charAt(i) == '\\') {
                i++;
            } else if (source.startsWith(close, i)) {
                return i + close.length();
            }
        }
        return source.length();
    }

    private static int end(String source, int found, int length) {
        return found < 0 ? source.length() : found + length;
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }
}
