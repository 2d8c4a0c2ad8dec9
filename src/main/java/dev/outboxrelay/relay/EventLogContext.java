package dev.outboxrelay.relay;

import org.slf4j.MDC;

/**
 * Puts an event's identity on the logging context (MDC) for the log lines written about it, so every
 * line carries event_id, dedupe_key, retry_count and duration_ms; JSON logs show them as fields.
 */
final class EventLogContext implements AutoCloseable {

    static final String EVENT_ID = "event_id";
    static final String DEDUPE_KEY = "dedupe_key";
    static final String RETRY_COUNT = "retry_count";
    static final String DURATION_MS = "duration_ms";

    private EventLogContext() {
    }

    /** @param sinceNanos when handling the event began, from {@link System#nanoTime()} */
    static EventLogContext of(RelayEvent event, long sinceNanos) {
        MDC.put(EVENT_ID, event.id().toString());
        MDC.put(DEDUPE_KEY, event.dedupeKey());
        MDC.put(RETRY_COUNT, Integer.toString(event.attempts()));
        MDC.put(DURATION_MS, Long.toString((System.nanoTime() - sinceNanos) / 1_000_000));
        return new EventLogContext();
    }

    @Override
    public void close() {
        MDC.remove(EVENT_ID);
        MDC.remove(DEDUPE_KEY);
        MDC.remove(RETRY_COUNT);
        MDC.remove(DURATION_MS);
    }
}
