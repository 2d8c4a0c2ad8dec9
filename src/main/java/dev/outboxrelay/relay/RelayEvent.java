package dev.outboxrelay.relay;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.opentelemetry.api.trace.Span;

import dev.outboxrelay.routing.Destination;

/**
 * One claimed outbox row on its way to a broker, and what became of it. Each event belongs to exactly
 * one send unit at a time, so its outcome is written by one thread; the batch reads it after the wave.
 */
public final class RelayEvent {

    /** What the relay knows about the event so far. */
    public enum Outcome {
        /** not sent yet */
        PENDING,
        /** acknowledged by the broker */
        PUBLISHED,
        /** sent or checked, and failed */
        FAILED,
        /** not sent because an earlier event of its aggregate failed in this batch */
        HELD,
        /** not sent because its topic is at its rate limit; waits without an attempt counted */
        DEFERRED
    }

    private final UUID id;
    private final long seq;
    private final String topic;
    private final String aggregateId;
    private final String eventType;
    private final String payload;
    private final String dedupeKey;
    private final int schemaVersion;
    private final Map<String, String> headers;
    private final Instant createdAt;
    private final int attempts;
    private final Destination destination;

    private volatile Outcome outcome = Outcome.PENDING;
    private volatile String error;
    private volatile boolean rejected;
    private volatile Instant publishedAt;
    private volatile long deferMillis;
    private volatile Span span;
    private volatile Map<String, String> carriedTrace = Map.of();

    public RelayEvent(UUID id, long seq, String topic, String aggregateId, String eventType, String payload,
                      String dedupeKey, int schemaVersion, Map<String, String> headers, Instant createdAt,
                      int attempts, Destination destination) {
        this.id = id;
        this.seq = seq;
        this.topic = topic;
        this.aggregateId = aggregateId;
        this.eventType = eventType;
        this.payload = payload;
        this.dedupeKey = dedupeKey;
        this.schemaVersion = schemaVersion;
        this.headers = Map.copyOf(headers);
        this.createdAt = createdAt;
        this.attempts = attempts;
        this.destination = destination;
    }

    public void published() {
        publishedAt = Instant.now();
        outcome = Outcome.PUBLISHED;
    }

    /**
     * Records a failed publish.
     *
     * @param reason   what went wrong, stored as the row's last_error
     * @param rejected true when this event itself was refused (it counts towards parking); false when
     *                 the broker could not be reached, which never parks an event
     */
    public void failed(String reason, boolean rejected) {
        this.error = reason;
        this.rejected = rejected;
        outcome = Outcome.FAILED;
    }

    void held() {
        outcome = Outcome.HELD;
    }

    /** Not to be sent for at least {@code millis}: its topic is at its rate limit. */
    void deferred(long millis) {
        this.deferMillis = millis;
        outcome = Outcome.DEFERRED;
    }

    long deferMillis() {
        return deferMillis;
    }

    /** The relay's publish span and the trace headers the message carries instead of the stored ones. */
    void traced(Span publishSpan, Map<String, String> trace) {
        this.span = publishSpan;
        this.carriedTrace = Map.copyOf(trace);
    }

    Span span() {
        return span;
    }

    /** Trace headers for the message: the publish span's, when there is one. */
    Map<String, String> carriedTrace() {
        return carriedTrace;
    }

    public UUID id() {
        return id;
    }

    public long seq() {
        return seq;
    }

    public String topic() {
        return topic;
    }

    public String aggregateId() {
        return aggregateId;
    }

    public String eventType() {
        return eventType;
    }

    public String payload() {
        return payload;
    }

    public String dedupeKey() {
        return dedupeKey;
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public int attempts() {
        return attempts;
    }

    /** Where the routing table sends the event; {@code null} when no entry matched. */
    public Destination destination() {
        return destination;
    }

    public Outcome outcome() {
        return outcome;
    }

    public String error() {
        return error;
    }

    public boolean rejected() {
        return rejected;
    }

    public Instant publishedAt() {
        return publishedAt;
    }

    @Override
    public String toString() {
        return "event " + id + " (" + topic + ", aggregate " + aggregateId + ", seq " + seq + ")";
    }
}
