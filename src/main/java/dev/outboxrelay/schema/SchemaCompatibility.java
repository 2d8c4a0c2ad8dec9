package dev.outboxrelay.schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Decides whether a new version of a topic's schema keeps its consumers working. Consumers written
 * for the previous version must be able to read every event of the new one, and events of either
 * version must go on being accepted wherever the other is; so a new version may add optional fields
 * and widen what it accepts, but not:
 * <ul>
 *   <li>remove a property the previous version described,</li>
 *   <li>make a property required that was not (a new property included),</li>
 *   <li>narrow a property's type (e.g. {@code number} to {@code integer}, or any type to a stricter one),</li>
 *   <li>drop values from an {@code enum}, or add an {@code enum} where any value was allowed,</li>
 *   <li>forbid additional properties that were allowed.</li>
 * </ul>
 * The rules apply to nested objects ({@code properties}) and array items ({@code items}) alike.
 * Keywords outside these (formats, lengths, patterns, references) are not compared.
 */
public final class SchemaCompatibility {

    private SchemaCompatibility() {
    }

    /** What in {@code next} would break consumers of {@code previous}; empty when it is compatible. */
    public static List<String> breakingChanges(JsonNode previous, JsonNode next) {
        List<String> problems = new ArrayList<>();
        compare("payload", previous, next, problems);
        return problems;
    }

    private static void compare(String path, JsonNode previous, JsonNode next, List<String> problems) {
        if (previous == null || previous.isMissingNode() || next == null || next.isMissingNode()) {
            return;
        }
        Set<String> before = types(previous);
        Set<String> after = types(next);
        if (!widens(before, after)) {
            problems.add(path + ": type narrowed from " + describe(before) + " to " + describe(after));
        }
        if (next.has("enum")) {
            Set<JsonNode> allowed = new HashSet<>();
            next.get("enum").forEach(allowed::add);
            if (!previous.has("enum")) {
                problems.add(path + ": an enum now limits values that were free");
            } else {
                for (JsonNode value : previous.get("enum")) {
                    if (!allowed.contains(value)) {
                        problems.add(path + ": enum value " + value + " removed");
                    }
                }
            }
        }
        JsonNode oldProperties = previous.path("properties");
        JsonNode newProperties = next.path("properties");
        for (Iterator<String> names = oldProperties.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!newProperties.has(name)) {
                problems.add(path + "." + name + ": property removed");
            } else {
                compare(path + "." + name, oldProperties.get(name), newProperties.get(name), problems);
            }
        }
        Set<String> wasRequired = strings(previous.path("required"));
        for (String name : strings(next.path("required"))) {
            if (!wasRequired.contains(name)) {
                problems.add(path + "." + name + ": property made required");
            }
        }
        if (allowsAdditional(previous) && !allowsAdditional(next)) {
            problems.add(path + ": additional properties no longer allowed");
        }
        if (previous.has("items") && next.has("items")) {
            compare(path + "[]", previous.get("items"), next.get("items"), problems);
        }
    }

    private static Set<String> types(JsonNode schema) {
        JsonNode type = schema.path("type");
        Set<String> types = new HashSet<>();
        if (type.isTextual()) {
            types.add(type.asText());
        } else if (type.isArray()) {
            type.forEach(value -> types.add(value.asText()));
        }
        return types;
    }

    /** Whether every value of the types before is still of one of the types after (no type: anything). */
    private static boolean widens(Set<String> before, Set<String> after) {
        if (after.isEmpty()) {
            return true;
        }
        if (before.isEmpty()) {
            return false;
        }
        for (String type : before) {
            boolean kept = after.contains(type) || ("integer".equals(type) && after.contains("number"));
            if (!kept) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Set<String> types) {
        return types.isEmpty() ? "any" : types.size() == 1 ? types.iterator().next() : types.toString();
    }

    private static boolean allowsAdditional(JsonNode schema) {
        JsonNode additional = schema.path("additionalProperties");
        return !(additional.isBoolean() && !additional.asBoolean());
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new HashSet<>();
        if (array.isArray()) {
            array.forEach(value -> values.add(value.asText()));
        }
        return values;
    }
}
