package dev.outboxrelay.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * Where a job is.
 *
 * @param id          the job's id
 * @param queue       its queue
 * @param state       {@code scheduled} (not due yet), {@code queued} (due, waiting for a worker), {@code running},
 *                    {@code retrying} (failed, waiting for its next run), {@code succeeded} or {@code failed}
 *                    (used its attempts; in the failed record)
 * @param priority    its priority
 * @param uniqueKey   its unique key, or null
 * @param attempts    runs so far (a run in progress counts)
 * @param maxAttempts runs allowed
 * @param lastError   the last run's error, or null
 * @param runAt       when it is or was due
 * @param createdAt   when it was enqueued
 * @param finishedAt  when it succeeded or failed for good, otherwise null
 */
public record JobStatus(UUID id, String queue, String state, int priority, String uniqueKey, int attempts,
                        int maxAttempts, String lastError, Instant runAt, Instant createdAt, Instant finishedAt) {
}
