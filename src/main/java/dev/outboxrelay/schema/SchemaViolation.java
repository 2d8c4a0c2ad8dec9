package dev.outboxrelay.schema;

/**
 * One way a payload breaks its schema.
 *
 * @param field   where, from the event's point of view, e.g. {@code payload.address.city} or {@code payload.items[2]}
 * @param rule    the JSON Schema keyword that failed, e.g. {@code required}, {@code type}, {@code format}
 * @param message what is wrong, in words
 */
public record SchemaViolation(String field, String rule, String message) {
}
