package dev.outboxrelay.api;

import java.time.Duration;

/** The intake refuses work for now because a backlog passed its limit; the client should come back later. */
public class IntakeOverloadedException extends RuntimeException {

    private final Duration retryAfter;
    private final int status;

    public IntakeOverloadedException(String message, Duration retryAfter, int status) {
        super(message);
        this.retryAfter = retryAfter;
        this.status = status;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public int status() {
        return status;
    }
}
