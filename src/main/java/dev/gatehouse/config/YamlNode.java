package dev.gatehouse.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A node of the composed YAML tree that knows its key path and line, and records every problem it meets into
 * the shared {@link ErrorList} instead of throwing, so one pass finds all errors.
 *
 * <p>Getters take a parser ({@code Function<String, T>} that throws {@link IllegalArgumentException} with a
 * message) and return the default when the key is absent and also when the value is bad (after recording the
 * error), so later checks never trip over a missing value.
 */
final class YamlNode {

    private final Node node;
    private final String path;
    private final int keyLine; // the line of this value's key (of the item itself in a list)
    private final ErrorList errors;
    private Map<String, YamlNode> fields;

    private YamlNode(Node node, String path, int keyLine, ErrorList errors) {
        this.node = node;
        this.path = path;
        this.keyLine = keyLine;
        this.errors = errors;
    }

    static YamlNode root(Node node, ErrorList errors) {
        return new YamlNode(node, "", lineOf(node), errors);
    }

    /** The line of the value. */
    int line() {
        return lineOf(node);
    }

    void error(String message) {
        errors.add(line(), path, message);
    }

    void keyError(String message) {
        errors.add(keyLine, path, message);
    }

    /** Something worth fixing that does not stop the config from running (an expired certificate). */
    void warning(String message) {
        errors.warn(line(), path, message);
    }

    // ---- mappings

    /**
     * Checks that this is a mapping whose keys are all in {@code allowed}, recording an error for each other key.
     *
     * @return false (with an error recorded) when this is not a mapping
     */
    boolean expectKeys(String... allowed) {
        if (!expectMapping()) {
            return false;
        }
        List<String> known = Arrays.asList(allowed);
        fields().forEach((key, value) -> {
            if (!known.contains(key)) {
                value.keyError("unknown key" + Suggestions.didYouMean(key, known));
            }
        });
        return true;
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    boolean expectMapping() {
        if (!(node instanceof MappingNode)) {
            error("must be a mapping (key: value), got " + kind());
            return false;
        }
        return true;
    }

    /** The entries of this mapping in file order (empty when not a mapping); a repeated key is an error, the first wins. */
    Map<String, YamlNode> fields() {
        if (fields != null) {
            return fields;
        }
        fields = new LinkedHashMap<>();
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                int line = lineOf(tuple.getKeyNode());
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    errors.add(line, path, "keys must be plain names");
                    continue;
                }
                YamlNode value = new YamlNode(tuple.getValueNode(), child(key.getValue()), line, errors);
                YamlNode first = fields.putIfAbsent(key.getValue(), value);
                if (first != null) {
                    value.keyError("duplicate key (first at line " + first.keyLine + ")");
                }
            }
        }
        fields = Collections.unmodifiableMap(fields);
        return fields;
    }

    /** The value under {@code key}, or null when absent or explicitly empty ({@code key:} or {@code key: ~}). */
    YamlNode get(String key) {
        YamlNode value = fields().get(key);
        return value == null || value.isNull() ? null : value;
    }

    boolean has(String key) {
        return get(key) != null;
    }

    /** The value under {@code key}, or null after recording that it is required. */
    YamlNode require(String key) {
        YamlNode value = get(key);
        if (value == null) {
            errors.add(line(), child(key), "is required");
        }
        return value;
    }

    <T> T get(String key, Function<String, T> parser, T absent) {
        YamlNode value = get(key);
        if (value == null) {
            return absent;
        }
        T parsed = value.as(parser);
        return parsed == null ? absent : parsed;
    }

    /** The parsed value under {@code key}; null (with an error recorded) when absent or bad. */
    <T> T require(String key, Function<String, T> parser) {
        YamlNode value = require(key);
        return value == null ? null : value.as(parser);
    }

    /** The items of the list under {@code key}; empty when absent, or (with an error) when not a list. */
    List<YamlNode> list(String key) {
        YamlNode value = get(key);
        return value == null ? List.of() : value.items();
    }

    /** The items of the list under {@code key}, which must be present and hold at least one {@code what}. */
    List<YamlNode> requireItems(String key, String what) {
        YamlNode value = require(key);
        if (value == null) {
            return List.of();
        }
        List<YamlNode> items = value.items();
        if (items.isEmpty() && value.node instanceof SequenceNode) {
            value.error("must list at least one " + what);
        }
        return items;
    }

    // ---- lists and scalars

    /** The items of this list; empty with an error recorded when this is not a list. */
    List<YamlNode> items() {
        if (!(node instanceof SequenceNode sequence)) {
            error("must be a list, got " + kind());
            return List.of();
        }
        List<YamlNode> items = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            items.add(new YamlNode(item, path + "[" + items.size() + "]", lineOf(item), errors));
        }
        return items;
    }

    /** This scalar parsed; null with an error recorded when it is not a single value or the parser rejects it. */
    <T> T as(Function<String, T> parser) {
        if (!(node instanceof ScalarNode scalar)) {
            error("must be a single value, got " + kind());
            return null;
        }
        try {
            return parser.apply(scalar.getValue());
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return null;
        }
    }

    /** Whether this is the scalar {@code value}. */
    boolean isScalar(String value) {
        return node instanceof ScalarNode scalar && !isNull() && scalar.getValue().equals(value);
    }

    private boolean isNull() {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private String kind() {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when isNull() -> "nothing";
            default -> "'" + ((ScalarNode) node).getValue() + "'";
        };
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static int lineOf(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }
}
