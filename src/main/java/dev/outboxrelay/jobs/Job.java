package dev.outboxrelay.jobs;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job as its handler sees it.
 *
 * @param id          the job's id
 * @param queue       its queue
 * @param priority    its priority
 * @param runAt       when it was due
 * @param payload     its input
 * @param uniqueKey   its unique key, or null
 * @param attempt     this run's number, 1 for the first
 * @param maxAttempts runs before the job goes to the failed record
 * @param createdAt   when it was enqueued
 */
public record Job(UUID id, String queue, int priority, Instant runAt, JsonNode payload, String uniqueKey, int attempt,
                  int maxAttempts, Instant createdAt) {

    /** Whether a failure of this run sends the job to the failed record rather than to another try. */
    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }
}
