package dev.outboxrelay.completion;

import java.time.Instant;

/**
 * Published as a Spring application event when a worker has finished a piece of work: an event handled
 * by a consumer, or a job run from the job queue. Completion push (server-sent events, webhooks)
 * listens for it; workers publish it after their transaction committed.
 *
 * @param kind        {@code event} or {@code job}
 * @param id          the event id or job id
 * @param topic       the event's topic, or the job's queue
 * @param dedupeKey   the event's dedupe key, or the job's unique key (may be null)
 * @param outcome     {@code succeeded}, {@code failed} (will be retried) or {@code dead-lettered}
 * @param detail      the error for a failure, otherwise null
 * @param completedAt when the worker finished
 */
public record WorkCompleted(String kind, String id, String topic, String dedupeKey, String outcome, String detail,
                            Instant completedAt) {

    public static final String EVENT = "event";
    public static final String JOB = "job";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String DEAD_LETTERED = "dead-lettered";
}
