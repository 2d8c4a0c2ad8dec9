package dev.outboxrelay.jobs;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job in the failed record: it used its attempts (or failed permanently), with everything needed
 * to understand why and to run it again.
 */
public record FailedJob(UUID id, String queue, int priority, JsonNode payload, String uniqueKey, int attempts,
                        int maxAttempts, String lastError, Instant runAt, Instant createdAt, String recurring,
                        Instant failedAt) {
}
