package dev.outboxrelay.jobs;

import java.util.UUID;

/**
 * What enqueueing one job did.
 *
 * @param id      the job's id: the new one, or the first job's when its unique key was already taken
 * @param created false when the queue already held a job with the same unique key and nothing was enqueued
 */
public record EnqueuedJob(UUID id, boolean created) {
}
