package dev.outboxrelay.consume;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import dev.outboxrelay.routing.Broker;

/**
 * The dead letters of all consumers in {@code consumer_dead_letters}, one row per consumer and dedupe
 * key: what operators list, inspect and replay. The broker's own dead-letter destination gets the same
 * message; this ledger makes it searchable by topic, error and time without draining queues.
 */
@Component
public class DeadLetterLedger {

    private static final int MAX_ERROR_LENGTH = 4000;

    private static final String RECORD = """
            INSERT INTO consumer_dead_letters (consumer, broker, source, topic, event_id, event_type, aggregate_id,
                                               dedupe_key, schema_version, headers, payload, error, attempts,
                                               created_at, first_failed_at, dead_lettered_at)
            VALUES (:consumer, :broker, :source, :topic, :eventId, :eventType, :aggregateId, :dedupeKey,
                    :schemaVersion, CAST(:headers AS jsonb), :payload, :error, :attempts, :createdAt, :firstFailedAt, now())
            ON CONFLICT (consumer, dedupe_key) DO UPDATE
            SET broker = EXCLUDED.broker, source = EXCLUDED.source, headers = EXCLUDED.headers,
                payload = EXCLUDED.payload, error = EXCLUDED.error, attempts = EXCLUDED.attempts,
                first_failed_at = EXCLUDED.first_failed_at, dead_lettered_at = now(), replayed_at = NULL
            RETURNING id
            """;

    private static final String FIND = "SELECT * FROM consumer_dead_letters WHERE id = :id";

    private static final String SEARCH = """
            SELECT * FROM consumer_dead_letters
            WHERE (CAST(:consumer AS text) IS NULL OR consumer = :consumer)
              AND (CAST(:topic AS text) IS NULL OR topic = :topic)
              AND (CAST(:error AS text) IS NULL OR strpos(lower(error), lower(:error)) > 0)
              AND (CAST(:from AS timestamptz) IS NULL OR dead_lettered_at >= :from)
              AND (CAST(:to AS timestamptz) IS NULL OR dead_lettered_at < :to)
              AND (CAST(:status AS text) IS NULL
                   OR (:status = 'dead' AND replayed_at IS NULL)
                   OR (:status = 'replayed' AND replayed_at IS NOT NULL))
            ORDER BY dead_lettered_at, id
            LIMIT :limit
            """;

    private static final String MARK_REPLAYED = """
            UPDATE consumer_dead_letters
            SET replayed_at = now(), replay_count = replay_count + 1
            WHERE id = :id
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper json;
    private final RowMapper<DeadLetter> rows = this::row;

    public DeadLetterLedger(NamedParameterJdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Records (or records again) a dead letter; answers its id. */
    public UUID record(ConsumedEvent event, String error, int attempts, Instant firstFailedAt) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("consumer", event.consumer())
                .addValue("broker", event.broker().configName())
                .addValue("source", event.source())
                .addValue("topic", event.topic())
                .addValue("eventId", event.id())
                .addValue("eventType", event.eventType())
                .addValue("aggregateId", event.aggregateId())
                .addValue("dedupeKey", event.dedupeKey())
                .addValue("schemaVersion", event.schemaVersion())
                .addValue("headers", write(event.headers()))
                .addValue("payload", event.payload())
                .addValue("error", truncate(error))
                .addValue("attempts", attempts)
                .addValue("createdAt", timestamp(event.createdAt()))
                .addValue("firstFailedAt", timestamp(firstFailedAt));
        return jdbc.queryForObject(RECORD, params, UUID.class);
    }

    public Optional<DeadLetter> find(UUID id) {
        return jdbc.query(FIND, new MapSqlParameterSource("id", id), rows).stream().findFirst();
    }

    /** Dead letters matching a filter, oldest first; null filter fields match everything. */
    public List<DeadLetter> search(DeadLetterFilter filter) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("consumer", filter.consumer())
                .addValue("topic", filter.topic())
                .addValue("error", filter.error())
                .addValue("from", timestamp(filter.from()))
                .addValue("to", timestamp(filter.to()))
                .addValue("status", filter.status())
                .addValue("limit", filter.limit());
        return jdbc.query(SEARCH, params, rows);
    }

    public void markReplayed(UUID id) {
        jdbc.update(MARK_REPLAYED, new MapSqlParameterSource("id", id));
    }

    private DeadLetter row(ResultSet row, int number) throws SQLException {
        return new DeadLetter(
                row.getObject("id", UUID.class),
                row.getString("consumer"),
                Broker.valueOf(row.getString("broker").toUpperCase(Locale.ROOT)),
                row.getString("source"),
                row.getString("topic"),
                row.getString("event_id"),
                row.getString("event_type"),
                row.getString("aggregate_id"),
                row.getString("dedupe_key"),
                row.getInt("schema_version"),
                read(row.getString("headers")),
                row.getString("payload"),
                row.getString("error"),
                row.getInt("attempts"),
                instant(row.getTimestamp("created_at")),
                instant(row.getTimestamp("first_failed_at")),
                instant(row.getTimestamp("dead_lettered_at")),
                row.getInt("replay_count"),
                instant(row.getTimestamp("replayed_at")));
    }

    private String write(Map<String, String> headers) {
        try {
            return json.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("headers could not be written as JSON", e);
        }
    }

    private Map<String, String> read(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, new TypeReference<LinkedHashMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String truncate(String error) {
        String text = error == null ? "unknown error" : error;
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "...";
    }
}
