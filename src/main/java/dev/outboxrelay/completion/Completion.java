package dev.outboxrelay.completion;

import java.time.Instant;

/**
 * A recorded {@link WorkCompleted}, as browsers (server-sent events) and webhook receivers get it.
 *
 * @param seq         its place in the completion record; the server-sent event id
 * @param kind        {@code event} or {@code job}
 * @param id          the event id or job id
 * @param topic       the event's topic, or the job's queue
 * @param dedupeKey   the event's dedupe key, or the job's unique key; may be null
 * @param outcome     {@code succeeded}, {@code failed} (will be retried) or {@code dead-lettered}
 * @param detail      the error of a failure, otherwise null
 * @param completedAt when the worker finished
 */
public record Completion(long seq, String kind, String id, String topic, String dedupeKey, String outcome,
                         String detail, Instant completedAt) {
}
