package dev.outboxrelay.schema;

import java.util.List;

import dev.outboxrelay.outbox.InvalidEventException;

/**
 * An event refused because its payload breaks the schema of its topic and version. The message and
 * {@link #field()} name the first failing field and {@link #rule()} the rule; {@link #violations()}
 * holds every failure found.
 */
public class SchemaViolationException extends InvalidEventException {

    private final String rule;
    private final String topic;
    private final int version;
    private final List<SchemaViolation> violations;

    public SchemaViolationException(String topic, int version, List<SchemaViolation> violations) {
        super(violations.get(0).field(), violations.get(0).message() + " (rule '" + violations.get(0).rule()
                + "' of schema " + topic + " v" + version + ")");
        this.rule = violations.get(0).rule();
        this.topic = topic;
        this.version = version;
        this.violations = List.copyOf(violations);
    }

    public String rule() {
        return rule;
    }

    public String topic() {
        return topic;
    }

    public int version() {
        return version;
    }

    public List<SchemaViolation> violations() {
        return violations;
    }
}
