package dev.outboxrelay.schema;

import java.util.Collection;

import dev.outboxrelay.outbox.InvalidEventException;

/** An event whose topic has schemas, but none for the event's schema version. */
public class UnknownSchemaVersionException extends InvalidEventException {

    private final String topic;
    private final int version;

    public UnknownSchemaVersionException(String field, String topic, int version, Collection<Integer> known) {
        super(field, "version " + version + " of topic '" + topic + "' has no schema (known versions: " + known + ")");
        this.topic = topic;
        this.version = version;
    }

    public String topic() {
        return topic;
    }

    public int version() {
        return version;
    }
}
