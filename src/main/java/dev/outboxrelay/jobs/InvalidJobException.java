package dev.outboxrelay.jobs;

/** A job refused before anything was enqueued; the message names the field and the rule it broke. */
public class InvalidJobException extends IllegalArgumentException {

    private final String field;

    public InvalidJobException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
