package dev.outboxrelay.faults;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.outboxrelay.consume.ConsumedEvent;
import dev.outboxrelay.consume.EventHandler;

/**
 * The suite's handler: records each event it handles as a row of {@code faults.effects}, in the
 * consumer's transaction, then pauses a moment so that a killed process is likely to die with
 * transactions open. Rows are numbered by a sequence as they are written, which is the order one
 * consumer thread handled them in; there is no unique constraint, so an event applied twice shows as
 * two rows.
 */
public class FaultEffects implements EventHandler {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final String node;
    private final Duration pause;

    public FaultEffects(JdbcTemplate jdbc, ObjectMapper json, String node, Duration pause) {
        this.jdbc = jdbc;
        this.json = json;
        this.node = node;
        this.pause = pause;
    }

    @Override
    public void handle(ConsumedEvent event) throws Exception {
        JsonNode payload = json.readTree(event.payload());
        jdbc.update("""
                INSERT INTO faults.effects (consumer, node, aggregate_id, n, dedupe_key)
                VALUES (?, ?, ?, ?, ?)""",
                event.consumer(), node, payload.path("aggregate").asText(), payload.path("n").asInt(),
                event.dedupeKey());
        Thread.sleep(pause.toMillis());
    }
}
