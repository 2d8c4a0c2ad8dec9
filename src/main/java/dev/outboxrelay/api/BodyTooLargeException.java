package dev.outboxrelay.api;

import java.io.IOException;

/**
 * A request body that grew past {@code outbox.intake.max-body-size} while it was read. An IOException,
 * so that the JSON reader stops at once and Spring hands it to {@link ApiErrors} as the cause of the
 * unreadable request.
 */
class BodyTooLargeException extends IOException {

    BodyTooLargeException(long limit) {
        super(IntakeBodyLimit.message(limit));
    }
}
