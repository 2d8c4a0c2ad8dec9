package dev.outboxrelay.observe;

import org.slf4j.MDC;

/**
 * Puts an event's identity on the logging context (MDC) of the thread working on it, so every line
 * logged about the event, by the relay, a consumer, its handler or Camel's error handler, carries
 * event_id, dedupe_key, retry_count and duration_ms; structured (JSON) logs show them as fields.
 *
 * <p>retry_count is the number of earlier attempts at the event (0 on the first); duration_ms is the time
 * since work on the event began, as of the line.
 */
public final class EventLogContext implements AutoCloseable {

    public static final String EVENT_ID = "event_id";
    public static final String DEDUPE_KEY = "dedupe_key";
    public static final String RETRY_COUNT = "retry_count";
    public static final String DURATION_MS = "duration_ms";

    private EventLogContext() {
    }

    /**
     * Sets all four keys (a null id or key is left out: a message can lack them); closing the result
     * removes them.
     *
     * @param sinceNanos when work on the event began, from {@link System#nanoTime()}
     */
    public static EventLogContext of(String eventId, String dedupeKey, int retryCount, long sinceNanos) {
        putOrRemove(EVENT_ID, eventId);
        putOrRemove(DEDUPE_KEY, dedupeKey);
        update(retryCount, sinceNanos);
        return new EventLogContext();
    }

    private static void putOrRemove(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /** Brings retry_count and duration_ms up to date for the next lines about the same event. */
    public static void update(int retryCount, long sinceNanos) {
        MDC.put(RETRY_COUNT, Integer.toString(retryCount));
        MDC.put(DURATION_MS, Long.toString((System.nanoTime() - sinceNanos) / 1_000_000));
    }

    /** Removes the keys: the thread is done with the event. */
    public static void clear() {
        MDC.remove(EVENT_ID);
        MDC.remove(DEDUPE_KEY);
        MDC.remove(RETRY_COUNT);
        MDC.remove(DURATION_MS);
    }

    @Override
    public void close() {
        clear();
    }
}
