package dev.outboxrelay.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A batch's outcome in the array form the settle statements take.
 *
 * @param publishedIds   acknowledged by their broker
 * @param failedIds      failed, with the matching error and whether the event itself was rejected
 * @param failedErrors   the error of each failed event
 * @param failedRejected true where the broker or the relay refused the event itself
 * @param deferredIds    not sent because their topic is at its rate limit
 * @param deferMillis    how long each deferred event waits
 */
public record Settlement(UUID[] publishedIds, UUID[] failedIds, String[] failedErrors, Boolean[] failedRejected,
                         UUID[] deferredIds, Long[] deferMillis) {

    private static final int MAX_ERROR_LENGTH = 2000;

    static Settlement of(List<RelayEvent> events) {
        List<UUID> published = new ArrayList<>();
        List<UUID> failed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<Boolean> rejected = new ArrayList<>();
        List<UUID> deferred = new ArrayList<>();
        List<Long> deferMillis = new ArrayList<>();
        for (RelayEvent event : events) {
            switch (event.outcome()) {
                case PUBLISHED -> published.add(event.id());
                case FAILED -> {
                    failed.add(event.id());
                    errors.add(truncate(event.error()));
                    rejected.add(event.rejected());
                }
                case HELD, PENDING -> {
                    // not sent: nothing to write, the batch's commit lets go of them
                }
                case DEFERRED -> {
                    deferred.add(event.id());
                    deferMillis.add(Math.max(1, event.deferMillis()));
                }
            }
        }
        return new Settlement(published.toArray(UUID[]::new), failed.toArray(UUID[]::new),
                errors.toArray(String[]::new), rejected.toArray(Boolean[]::new),
                deferred.toArray(UUID[]::new), deferMillis.toArray(Long[]::new));
    }

    private static String truncate(String error) {
        String text = error == null ? "unknown error" : error;
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "...";
    }

    public boolean hasPublished() {
        return publishedIds.length > 0;
    }

    public boolean hasFailed() {
        return failedIds.length > 0;
    }

    public boolean hasDeferred() {
        return deferredIds.length > 0;
    }
}
