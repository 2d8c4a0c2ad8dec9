package dev.outboxrelay.outbox;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An event to be written to the outbox.
 *
 * @param topic         what the event is about, e.g. {@code orders.created}; the routing table maps it to a broker
 * @param aggregateId   the entity the event belongs to; events of one aggregate are delivered in commit order
 * @param eventType     the event's type name, e.g. {@code OrderCreated}
 * @param payload       the event body: a JSON object as text, or any object Jackson can write as one
 * @param dedupeKey     the producer's idempotency key: writing it twice stores one event
 * @param schemaVersion the version of the payload's schema
 * @param headers       extra metadata carried to the broker with the event
 * @param availableAt   not published before this instant; {@code null} for at once
 */
public record OutboxEvent(
        String topic,
        String aggregateId,
        String eventType,
        Object payload,
        String dedupeKey,
        int schemaVersion,
        Map<String, String> headers,
        Instant availableAt) {

    public OutboxEvent {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static Builder builder(String topic) {
        return new Builder(topic);
    }

    /** Builds an {@link OutboxEvent}; topic, aggregate, type, payload and dedupe key are required. */
    public static final class Builder {
        private final String topic;
        private String aggregateId;
        private String eventType;
        private Object payload;
        private String dedupeKey;
        private int schemaVersion = 1;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Instant availableAt;

        private Builder(String topic) {
            this.topic = topic;
        }

        public Builder aggregateId(String aggregateId) {
            this.aggregateId = aggregateId;
            return this;
        }

        public Builder eventType(String eventType) {
            this.eventType = eventType;
            return this;
        }

        public Builder payload(Object payload) {
            this.payload = payload;
            return this;
        }

        public Builder dedupeKey(String dedupeKey) {
            this.dedupeKey = dedupeKey;
            return this;
        }

        public Builder schemaVersion(int schemaVersion) {
            this.schemaVersion = schemaVersion;
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "header name"), Objects.requireNonNull(value, "header value"));
            return this;
        }

        public Builder availableAt(Instant availableAt) {
            this.availableAt = availableAt;
            return this;
        }

        public OutboxEvent build() {
            return new OutboxEvent(topic, aggregateId, eventType, payload, dedupeKey, schemaVersion, headers, availableAt);
        }
    }
}
