package dev.outboxrelay.relay;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metadata every relayed message carries, under the same names on every broker, so a consumer
 * reads an event the same way whichever broker brought it.
 */
public final class EventHeaders {

    public static final String EVENT_ID = "outbox-event-id";
    public static final String EVENT_TYPE = "outbox-event-type";
    public static final String DEDUPE_KEY = "outbox-dedupe-key";
    public static final String SCHEMA_VERSION = "outbox-schema-version";
    public static final String AGGREGATE_ID = "outbox-aggregate-id";
    public static final String TOPIC = "outbox-topic";
    public static final String CREATED_AT = "outbox-created-at";
    /**
     * Not to be handled before this instant (ISO-8601). Set by the producer as an event header; the relay
     * carries it to SQS as DelaySeconds and to RabbitMQ through a delay queue, and consumers honour it.
     */
    public static final String DUE_AT = "outbox-due-at";
    /** W3C trace context, stored with the event by the writer and carried as is. */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private EventHeaders() {
    }

    /** The event's own metadata followed by the headers it was written with. */
    static Map<String, String> of(RelayEvent event) {
        Map<String, String> headers = new LinkedHashMap<>(event.headers().size() + 7);
        headers.putAll(event.headers());
        headers.put(EVENT_ID, event.id().toString());
        headers.put(EVENT_TYPE, event.eventType());
        headers.put(DEDUPE_KEY, event.dedupeKey());
        headers.put(SCHEMA_VERSION, Integer.toString(event.schemaVersion()));
        headers.put(AGGREGATE_ID, event.aggregateId());
        headers.put(TOPIC, event.topic());
        headers.put(CREATED_AT, event.createdAt().toString());
        headers.putAll(event.carriedTrace());
        return headers;
    }
}
