package dev.outboxrelay.consume;

import java.time.Instant;

/**
 * Which dead letters to list or replay; null fields match everything.
 *
 * @param consumer the consumer that dead-lettered them
 * @param topic    the events' topic
 * @param error    text contained in the error, case-insensitive
 * @param from     dead-lettered at or after
 * @param to       dead-lettered before
 * @param status   {@code dead} (not replayed since), {@code replayed}, or null for both
 * @param limit    at most this many, oldest first
 */
public record DeadLetterFilter(String consumer, String topic, String error, Instant from, Instant to, String status,
                               int limit) {

    public static final int MAX_LIMIT = 1000;

    public DeadLetterFilter {
        consumer = blankToNull(consumer);
        topic = blankToNull(topic);
        error = blankToNull(error);
        status = blankToNull(status);
        if (status != null && !status.equals("dead") && !status.equals("replayed") && !status.equals("all")) {
            throw new IllegalArgumentException("status must be dead, replayed or all, not '" + status + "'");
        }
        if ("all".equals(status)) {
            status = null;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
    }

    /** Whether anything narrows the set: a bulk replay needs at least one condition. */
    public boolean hasCondition() {
        return consumer != null || topic != null || error != null || from != null || to != null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
