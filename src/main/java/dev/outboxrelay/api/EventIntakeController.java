package dev.outboxrelay.api;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.api.trace.Span;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.outboxrelay.completion.Completion;
import dev.outboxrelay.completion.CompletionLog;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.outbox.OutboxLookup;
import dev.outboxrelay.outbox.OutboxWrite;
import dev.outboxrelay.outbox.OutboxWriter;

/**
 * HTTP intake of events: {@code POST /api/events/{topic}} writes the event to the outbox and answers
 * 202 Accepted at once, with the event's id and a Location to poll; the relay publishes it later.
 * The same checks as the Java API apply (schemas included): an invalid event is answered 400 naming the
 * field and rule, and nothing is written.
 */
@RestController
@RequestMapping("/api/events")
public class EventIntakeController {

    private final OutboxWriter writer;
    private final OutboxLookup lookup;
    private final CompletionLog completions;
    private final IntakeBackpressure backpressure;

    public EventIntakeController(OutboxWriter writer, OutboxLookup lookup, CompletionLog completions,
                                 IntakeBackpressure backpressure) {
        this.writer = writer;
        this.lookup = lookup;
        this.completions = completions;
        this.backpressure = backpressure;
    }

    /**
     * The event to write.
     *
     * @param aggregateId   the entity the event belongs to (required)
     * @param eventType     the event's type name (required)
     * @param payload       a JSON object (required)
     * @param dedupeKey     the producer's idempotency key; else the Idempotency-Key header; else a random one
     * @param schemaVersion the payload's schema version, 1 when absent
     * @param headers       extra metadata carried to the broker
     * @param availableAt   not published before this instant
     */
    public record EventRequest(String aggregateId, String eventType, JsonNode payload, String dedupeKey,
                               Integer schemaVersion, Map<String, String> headers, Instant availableAt) {
    }

    @PostMapping("/{topic}")
    public ResponseEntity<Accepted> accept(@PathVariable String topic, @RequestBody EventRequest request,
                                           @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
                                           @RequestHeader(name = "traceparent", required = false) String traceparent) {
        backpressure.admitEvents();
        String dedupeKey = request.dedupeKey() != null ? request.dedupeKey()
                : idempotencyKey != null ? idempotencyKey : "intake:" + UUID.randomUUID();
        Map<String, String> headers = new LinkedHashMap<>(request.headers() == null ? Map.of() : request.headers());
        // With tracing on, the writer stores this request's own span, which continues the caller's
        // traceparent; without it, the caller's traceparent is kept as it came.
        if (traceparent != null && !headers.containsKey("traceparent") && !Span.current().getSpanContext().isValid()) {
            headers.put("traceparent", traceparent);
        }
        OutboxWrite write = writer.write(new OutboxEvent(topic, request.aggregateId(), request.eventType(),
                request.payload() == null ? null : request.payload().toString(), dedupeKey,
                request.schemaVersion() == null ? 1 : request.schemaVersion(), headers, request.availableAt()));
        String id = write.id().toString();
        URI location = URI.create("/api/events/" + id);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(location)
                .body(new Accepted(id, write.created(), location.toString(), "/api/completions?id=" + id));
    }

    /** The event's state in the outbox, and what its workers reported. */
    public record EventStatusResponse(OutboxLookup.EventStatus event, List<Completion> completions) {
    }

    @GetMapping("/{id}")
    public ResponseEntity<EventStatusResponse> status(@PathVariable UUID id) {
        return lookup.status(id)
                .map(status -> ResponseEntity.ok(new EventStatusResponse(status, completions.forWork(id.toString()))))
                .orElse(ResponseEntity.notFound().build());
    }
}
