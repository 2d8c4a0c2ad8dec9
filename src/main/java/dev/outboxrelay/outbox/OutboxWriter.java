package dev.outboxrelay.outbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.outboxrelay.observe.TraceContexts;
import dev.outboxrelay.routing.RoutingTable;

/**
 * Writes events to the outbox inside the caller's Spring transaction, so the domain change and its
 * events commit or roll back together. Without a surrounding transaction each call commits on its own.
 * A dedupe key that is already stored makes the write a no-op that answers with the first event's id.
 * Every event is checked before anything is written: the writer's own rules, then each
 * {@link EventValidator} bean (the event schemas among them).
 */
@Component
public class OutboxWriter {

    static final int MAX_KEY_LENGTH = 512;
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_HEADERS = 32;

    private static final String INSERT = """
            INSERT INTO outbox_events (id, topic, aggregate_id, event_type, payload, dedupe_key,
                                       schema_version, headers, available_at)
            SELECT t.id, t.topic, t.aggregate_id, t.event_type, CAST(t.payload AS jsonb), t.dedupe_key,
                   t.schema_version, CAST(t.headers AS jsonb), COALESCE(t.available_at, now())
            FROM unnest(CAST(:ids AS uuid[]), CAST(:topics AS text[]), CAST(:aggregates AS text[]),
                        CAST(:types AS text[]), CAST(:payloads AS text[]), CAST(:keys AS text[]),
                        CAST(:versions AS integer[]), CAST(:headers AS text[]),
                        CAST(:availableAts AS timestamptz[]))
                 WITH ORDINALITY AS t(id, topic, aggregate_id, event_type, payload, dedupe_key,
                                      schema_version, headers, available_at, position)
            ORDER BY t.position
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id, dedupe_key
            """;

    private static final String FIND_BY_KEYS = """
            SELECT id, dedupe_key FROM outbox_events WHERE dedupe_key = ANY(CAST(:keys AS text[]))
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper json;
    private final RoutingTable routing;
    private final List<EventValidator> validators;
    private final ObjectProvider<OpenTelemetry> openTelemetry;

    public OutboxWriter(NamedParameterJdbcTemplate jdbc, ObjectMapper json, RoutingTable routing,
                        ObjectProvider<EventValidator> validators, ObjectProvider<OpenTelemetry> openTelemetry) {
        this.jdbc = jdbc;
        this.json = json;
        this.routing = routing;
        this.validators = validators.orderedStream().toList();
        this.openTelemetry = openTelemetry;
    }

    /** Writes one event; see the class comment for transactions and dedupe. */
    @Transactional
    public OutboxWrite write(OutboxEvent event) {
        return writeAll(List.of(event)).get(0);
    }

    /**
     * Writes several events in one statement, in list order (which is their order within an
     * aggregate). Every event is checked first: one invalid event writes none of them.
     */
    @Transactional
    public List<OutboxWrite> writeAll(List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        int size = events.size();
        UUID[] ids = new UUID[size];
        String[] topics = new String[size];
        String[] aggregates = new String[size];
        String[] types = new String[size];
        String[] payloads = new String[size];
        String[] keys = new String[size];
        Integer[] versions = new Integer[size];
        String[] headers = new String[size];
        String[] availableAts = new String[size];
        for (int i = 0; i < size; i++) {
            OutboxEvent event = events.get(i);
            String where = size == 1 ? "" : "events[" + i + "].";
            validate(event, where);
            ids[i] = EventIds.next();
            topics[i] = event.topic();
            aggregates[i] = event.aggregateId();
            types[i] = event.eventType();
            JsonNode payload = payloadTree(event.payload(), where);
            String payloadText = payload.toString();
            // PostgreSQL's jsonb cannot store the NUL character; refuse it here with a clear message.
            if (payloadText.contains("\\u0000")) {
                throw new InvalidEventException(where + "payload", "must not contain the NUL character (\\u0000)");
            }
            for (EventValidator validator : validators) {
                validator.validate(event, payload, where);
            }
            payloads[i] = payloadText;
            keys[i] = event.dedupeKey();
            versions[i] = event.schemaVersion();
            headers[i] = headersJson(withTraceContext(event.headers()));
            Instant availableAt = event.availableAt();
            availableAts[i] = availableAt == null ? null : availableAt.toString();
        }
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("ids", ids)
                .addValue("topics", topics)
                .addValue("aggregates", aggregates)
                .addValue("types", types)
                .addValue("payloads", payloads)
                .addValue("keys", keys)
                .addValue("versions", versions)
                .addValue("headers", headers)
                .addValue("availableAts", availableAts);
        Map<String, UUID> stored = new HashMap<>();
        jdbc.query(INSERT, params, row -> {
            stored.put(row.getString("dedupe_key"), row.getObject("id", UUID.class));
        });
        Map<String, UUID> created = Map.copyOf(stored);
        if (stored.size() < size) {
            List<String> missing = new ArrayList<>();
            for (String key : keys) {
                if (!stored.containsKey(key)) {
                    missing.add(key);
                }
            }
            jdbc.query(FIND_BY_KEYS, new MapSqlParameterSource("keys", missing.toArray(String[]::new)),
                    row -> {
                        stored.put(row.getString("dedupe_key"), row.getObject("id", UUID.class));
                    });
        }
        List<OutboxWrite> writes = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            UUID id = stored.get(keys[i]);
            // Only the first occurrence of a key within this call counts as created.
            boolean isNew = id.equals(ids[i]) && created.containsKey(keys[i]);
            writes.add(new OutboxWrite(id, isNew));
        }
        return writes;
    }

    private void validate(OutboxEvent event, String where) {
        if (event == null) {
            throw new InvalidEventException(where.isEmpty() ? "event" : where.substring(0, where.length() - 1),
                    "must not be null");
        }
        if (event.topic() == null || event.topic().isBlank()) {
            throw new InvalidEventException(where + "topic", "is required");
        }
        if (!RoutingTable.isValidTopic(event.topic())) {
            throw new InvalidEventException(where + "topic",
                    "may only hold letters, digits, '.', '_' and '-', up to 200 characters");
        }
        if (routing.resolve(event.topic()).isEmpty()) {
            throw new InvalidEventException(where + "topic",
                    "'" + event.topic() + "' matches no entry of the routing table and there is no default route");
        }
        requireKey(event.aggregateId(), where + "aggregateId");
        requireKey(event.eventType(), where + "eventType");
        requireKey(event.dedupeKey(), where + "dedupeKey");
        if (event.schemaVersion() < 1) {
            throw new InvalidEventException(where + "schemaVersion", "must be 1 or more");
        }
        if (event.payload() == null) {
            throw new InvalidEventException(where + "payload", "is required");
        }
        if (event.headers().size() > MAX_HEADERS) {
            throw new InvalidEventException(where + "headers", "at most " + MAX_HEADERS + " headers are allowed");
        }
        event.headers().keySet().forEach(name -> {
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new InvalidEventException(where + "headers",
                        "name '" + name + "' may only hold letters, digits, '.', '_' and '-', up to 64 characters");
            }
        });
    }

    private static void requireKey(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(field, "is required");
        }
        if (value.length() > MAX_KEY_LENGTH) {
            throw new InvalidEventException(field, "is longer than " + MAX_KEY_LENGTH + " characters");
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidEventException(field, "must not contain NUL characters");
        }
    }

    private JsonNode payloadTree(Object payload, String where) {
        JsonNode tree;
        try {
            tree = payload instanceof String text ? json.readTree(text) : json.valueToTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(where + "payload", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(where + "payload", "cannot be written as JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidEventException(where + "payload", "must be a JSON object");
        }
        return tree;
    }

    /**
     * Stores the writer's current trace context (W3C traceparent) with the event, unless the caller
     * gave one, so the relay and the consumer continue the trace of the request that wrote it.
     */
    private Map<String, String> withTraceContext(Map<String, String> headers) {
        if (headers.containsKey("traceparent") || !Span.current().getSpanContext().isValid()) {
            return headers;
        }
        OpenTelemetry telemetry = openTelemetry.getIfAvailable();
        if (telemetry == null) {
            return headers;
        }
        Map<String, String> traced = new LinkedHashMap<>(headers);
        traced.putAll(TraceContexts.inject(telemetry, Context.current()));
        return traced;
    }

    private String headersJson(Map<String, String> headers) {
        try {
            return json.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("headers could not be written as JSON", e);
        }
    }
}
