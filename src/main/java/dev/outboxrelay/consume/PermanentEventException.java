package dev.outboxrelay.consume;

/**
 * An event that can never be handled as it is (an unknown schema version, a payload that breaks its
 * schema, a business rule that refuses it for good). It skips redelivery and goes straight to the
 * dead-letter destination with this message as its error.
 */
public class PermanentEventException extends RuntimeException {

    public PermanentEventException(String message) {
        super(message);
    }

    public PermanentEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
