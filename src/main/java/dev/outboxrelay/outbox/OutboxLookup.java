package dev.outboxrelay.outbox;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads where an outbox event is, and how big the backlog is. */
@Component
public class OutboxLookup {

    private static final String STATUS = """
            SELECT id, topic, aggregate_id, event_type, dedupe_key, schema_version, attempts, last_error,
                   created_at, available_at, published_at,
                   CASE WHEN published_at IS NOT NULL THEN 'published'
                        WHEN parked_at IS NOT NULL THEN 'parked'
                        WHEN available_at > now() THEN 'scheduled'
                        ELSE 'waiting' END AS status
            FROM outbox_events WHERE id = :id
            """;
    // counts at most limit + 1 rows, so the cost stays bounded however large the backlog grows
    private static final String BACKLOG = """
            SELECT count(*) FROM (
                SELECT 1 FROM outbox_events
                WHERE published_at IS NULL AND parked_at IS NULL AND available_at <= now()
                LIMIT :cap) AS due
            """;

    private final NamedParameterJdbcTemplate jdbc;

    public OutboxLookup(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The event's state: {@code waiting}, {@code scheduled} (not due yet), {@code published} or {@code parked}. */
    public Optional<EventStatus> status(UUID id) {
        List<EventStatus> found = jdbc.query(STATUS, new MapSqlParameterSource("id", id), (row, n) -> new EventStatus(
                row.getObject("id", UUID.class),
                row.getString("topic"),
                row.getString("aggregate_id"),
                row.getString("event_type"),
                row.getString("dedupe_key"),
                row.getInt("schema_version"),
                row.getString("status"),
                row.getInt("attempts"),
                row.getString("last_error"),
                instant(row.getTimestamp("created_at")),
                instant(row.getTimestamp("available_at")),
                instant(row.getTimestamp("published_at"))));
        return found.stream().findFirst();
    }

    /** Due events not yet published nor parked, counted up to {@code cap} (a larger backlog answers cap + 1). */
    public long backlog(long cap) {
        Long count = jdbc.queryForObject(BACKLOG, new MapSqlParameterSource("cap", cap + 1), Long.class);
        return count == null ? 0 : count;
    }

    private static Instant instant(Timestamp value) {
        return value == null ? null : value.toInstant();
    }

    /**
     * Where an outbox event is.
     *
     * @param status {@code waiting} (due, not yet acknowledged by its broker), {@code scheduled} (its
     *               available_at lies ahead), {@code published} or {@code parked} (refused too often; see lastError)
     */
    public record EventStatus(UUID id, String topic, String aggregateId, String eventType, String dedupeKey,
                              int schemaVersion, String status, int attempts, String lastError, Instant createdAt,
                              Instant availableAt, Instant publishedAt) {
    }
}
