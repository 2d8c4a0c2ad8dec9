package dev.outboxrelay.outbox;

/** An event refused before anything was written; the message names the field and the rule it broke. */
public class InvalidEventException extends IllegalArgumentException {

    private final String field;

    public InvalidEventException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
