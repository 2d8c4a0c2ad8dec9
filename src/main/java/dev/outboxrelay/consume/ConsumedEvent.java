package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.Map;

import dev.outboxrelay.routing.Broker;

/**
 * One event as a consumer received it, whichever broker brought it.
 *
 * @param id            the outbox event id ({@code outbox-event-id}); the broker's message id for messages
 *                      that did not come from the outbox
 * @param topic         the event's topic
 * @param eventType     the event's type
 * @param aggregateId   the entity the event belongs to (may be null for foreign messages)
 * @param dedupeKey     the producer's idempotency key: the consumer applies an event once per key
 * @param schemaVersion the version of the payload's schema
 * @param payload       the body, JSON text for outbox events
 * @param headers       the event's own headers (e.g. {@code traceparent}) and the {@code outbox-*} metadata
 * @param createdAt     when the event was written to the outbox, if known
 * @param dueAt         not to be handled before this instant ({@code outbox-due-at}), or null
 * @param consumer      the consumer that received it
 * @param broker        the broker it came from
 * @param source        where it was read: Kafka topic, SQS queue or RabbitMQ queue
 */
public record ConsumedEvent(String id, String topic, String eventType, String aggregateId, String dedupeKey,
                            int schemaVersion, String payload, Map<String, String> headers, Instant createdAt,
                            Instant dueAt, String consumer, Broker broker, String source) {

    public ConsumedEvent {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** One header, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** Whether the event may be handled now. */
    public boolean isDue(Instant now) {
        return dueAt == null || !dueAt.isAfter(now);
    }

    @Override
    public String toString() {
        return "event " + id + " (" + topic + ", " + eventType + ", dedupe key " + dedupeKey + ") on " + consumer;
    }
}
