package dev.outboxrelay.consume;

/**
 * Application code that handles consumed events: a plain Spring bean, mapped to topics and event types
 * in {@code outbox.consume.handlers}.
 *
 * <p>{@link #handle} runs inside a database transaction that also records the event's dedupe key for
 * this consumer: whatever the handler writes through the application's {@code DataSource} (JdbcTemplate,
 * JPA on the same data source) commits together with that key, or not at all. A handler is therefore run
 * to completion once per dedupe key, however often the broker delivers the event. Effects outside the
 * database (mail, HTTP calls) can still happen again when a later step fails; make them idempotent with
 * {@link ConsumedEvent#dedupeKey()}.
 *
 * <p>Throw any exception to have the event retried with backoff and finally dead-lettered; throw
 * {@link PermanentEventException} when retrying cannot help.
 */
@FunctionalInterface
public interface EventHandler {

    void handle(ConsumedEvent event) throws Exception;
}
