package dev.outboxrelay.consume;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import dev.outboxrelay.observe.EventLogContext;
import dev.outboxrelay.routing.Broker;

/**
 * Kafka's delay queue: a record whose {@code outbox-due-at} lies ahead is stored in
 * {@code consumer_deferred_events} and its offset committed like any other, so neither its partition
 * nor any other waits for it. The {@code kafka-deferred-events} route claims due rows under a lease,
 * runs them through the same processing (idempotent consumer, handler, dead-letter channel) and deletes
 * them. A crash between claim and delete only lets the lease run out: the row is claimed again and the
 * processed keys make the second run a no-op.
 */
@Component("deferredEvents")
public class DeferredEvents {

    static final Duration LEASE = Duration.ofMinutes(2);
    private static final String DEFER = """
            INSERT INTO consumer_deferred_events (consumer, dedupe_key, due_at, source, topic, event_id, event_type,
                                                  aggregate_id, schema_version, headers, payload, created_at)
            VALUES (:consumer, :dedupeKey, :dueAt, :source, :topic, :eventId, :eventType, :aggregateId,
                    :schemaVersion, CAST(:headers AS jsonb), :payload, :createdAt)
            ON CONFLICT (consumer, dedupe_key) DO NOTHING
            """;
    private static final String CLAIM = """
            UPDATE consumer_deferred_events d
            SET lease_until = now() + make_interval(secs => :leaseSeconds)
            FROM (SELECT consumer, dedupe_key FROM consumer_deferred_events
                  WHERE consumer = ANY(CAST(:consumers AS text[]))
                    AND due_at <= now()
                    AND (lease_until IS NULL OR lease_until < now())
                  ORDER BY due_at
                  LIMIT :limit
                  FOR UPDATE SKIP LOCKED) due
            WHERE d.consumer = due.consumer AND d.dedupe_key = due.dedupe_key
            RETURNING d.*
            """;
    private static final String DELETE = """
            DELETE FROM consumer_deferred_events WHERE consumer = :consumer AND dedupe_key = :dedupeKey
            """;
    private static final int BATCH = 100;
    private static final Logger log = LoggerFactory.getLogger(DeferredEvents.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper json;
    private final ConsumerRoutes consumers;

    public DeferredEvents(NamedParameterJdbcTemplate jdbc, ObjectMapper json, ConsumerRoutes consumers) {
        this.jdbc = jdbc;
        this.json = json;
        this.consumers = consumers;
    }

    /** Stores a Kafka record that is not due yet; storing it twice keeps the first. */
    public void defer(Exchange exchange) throws JsonProcessingException {
        ConsumedEvent event = ConsumedEvents.event(exchange);
        jdbc.update(DEFER, new MapSqlParameterSource()
                .addValue("consumer", event.consumer())
                .addValue("dedupeKey", event.dedupeKey())
                .addValue("dueAt", Timestamp.from(event.dueAt()))
                .addValue("source", event.source())
                .addValue("topic", event.topic())
                .addValue("eventId", event.id())
                .addValue("eventType", event.eventType())
                .addValue("aggregateId", event.aggregateId())
                .addValue("schemaVersion", event.schemaVersion())
                .addValue("headers", json.writeValueAsString(event.headers()))
                .addValue("payload", event.payload())
                .addValue("createdAt", event.createdAt() == null ? null : Timestamp.from(event.createdAt())));
        log.debug("{} is due at {}: held in consumer_deferred_events", event, event.dueAt());
    }

    /** Claims the due events of this instance's Kafka consumers. */
    public List<ConsumedEvent> claimDue() {
        String[] names = consumers.kafkaConsumers().toArray(String[]::new);
        if (names.length == 0) {
            return List.of();
        }
        return jdbc.query(CLAIM, new MapSqlParameterSource()
                .addValue("consumers", names)
                .addValue("leaseSeconds", LEASE.toSeconds())
                .addValue("limit", BATCH), (row, number) -> new ConsumedEvent(
                row.getString("event_id"), row.getString("topic"), row.getString("event_type"),
                row.getString("aggregate_id"), row.getString("dedupe_key"), row.getInt("schema_version"),
                row.getString("payload"), headers(row.getString("headers")),
                row.getTimestamp("created_at") == null ? null : row.getTimestamp("created_at").toInstant(),
                row.getTimestamp("due_at").toInstant(), row.getString("consumer"), Broker.KAFKA,
                row.getString("source")));
    }

    /** Puts a claimed event on the exchange for the shared processing route. */
    public void prepare(Exchange exchange) {
        ConsumedEvents.attach(exchange, exchange.getMessage().getBody(ConsumedEvent.class));
    }

    /** Unless it failed, the event was handled, a duplicate or dead-lettered: the row goes. */
    public void finish(Exchange exchange) {
        EventLogContext.clear();
        if (exchange.getProperty(ConsumedEvents.FAILED, false, Boolean.class)) {
            return;
        }
        ConsumedEvent event = ConsumedEvents.event(exchange);
        jdbc.update(DELETE, new MapSqlParameterSource("consumer", event.consumer())
                .addValue("dedupeKey", event.dedupeKey()));
    }

    /** Neither handled nor dead-lettered: the row stays leased and is claimed again when the lease ends. */
    public void failed(Exchange exchange) {
        exchange.setProperty(ConsumedEvents.FAILED, true);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        log.warn("Deferred {} was neither handled nor dead-lettered; it is tried again in {}: {}",
                ConsumedEvents.event(exchange), LEASE, cause == null ? "unknown error" : DeadLetters.describe(cause));
    }

    private Map<String, String> headers(String text) {
        try {
            return json.readValue(text, new TypeReference<LinkedHashMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }
}
