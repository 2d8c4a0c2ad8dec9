package dev.outboxrelay.relay;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outboxrelay.observe.EventLogContext;
import dev.outboxrelay.routing.Destination;
import dev.outboxrelay.routing.RoutingTable;
import dev.outboxrelay.security.PayloadPrivacy;

/**
 * The relay route's steps in Java: turns claimed rows into a {@link RelayBatch}, hands out its waves
 * and turns the outcome into the {@link Settlement} the settle statements write.
 */
@Component("relayBatches")
public class RelayBatches {

    /** Exchange property holding the batch while the route sends its waves. */
    public static final String BATCH = "outboxBatch";
    /** Exchange property holding the settlement for the settle statements. */
    public static final String SETTLEMENT = "outboxSettlement";

    private static final Logger log = LoggerFactory.getLogger(RelayBatches.class);

    private final RoutingTable routing;
    private final RelayProperties properties;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final RelayTracing tracing;
    private final TopicRateLimits rateLimits;
    private final PayloadPrivacy privacy;
    private final Map<String, PublishMeters> publishMeters = new ConcurrentHashMap<>();
    private final Map<String, Timer> phaseTimers = new ConcurrentHashMap<>();

    public RelayBatches(RoutingTable routing, RelayProperties properties, ObjectMapper json, MeterRegistry meters,
                        RelayTracing tracing, TopicRateLimits rateLimits, PayloadPrivacy privacy) {
        this.routing = routing;
        this.properties = properties;
        this.json = json;
        this.meters = meters;
        this.tracing = tracing;
        this.rateLimits = rateLimits;
        this.privacy = privacy;
    }

    /** Reads the claimed rows, resolves each event's destination and checks it can be sent. */
    public RelayBatch open(List<Map<String, Object>> rows, Exchange exchange) {
        phase("claim", exchange.getClock().elapsed());
        List<RelayEvent> events = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            events.add(toEvent(row));
        }
        events.sort(Comparator.comparingLong(RelayEvent::seq));
        events.forEach(this::check);
        events.forEach(this::limitRate);
        events.forEach(tracing::start);
        RelayBatch batch = new RelayBatch(events, properties.kafkaPipelining());
        exchange.setProperty(BATCH, batch);
        log.debug("Claimed {} event(s)", batch.size());
        return batch;
    }

    /**
     * The event as it may leave the database: the privacy rules are applied here, once, so every sink,
     * size check and error message after this point sees only the minimised payload.
     */
    private RelayEvent toEvent(Map<String, Object> row) {
        String topic = (String) row.get("topic");
        Destination destination = routing.resolve(topic).orElse(null);
        String payload;
        String refusal = null;
        try {
            payload = privacy.minimise(topic, (String) row.get("payload"));
        } catch (IllegalArgumentException e) {
            payload = "{}";
            refusal = e.getMessage();
        }
        RelayEvent event = new RelayEvent(
                (UUID) row.get("id"),
                ((Number) row.get("seq")).longValue(),
                topic,
                (String) row.get("aggregate_id"),
                (String) row.get("event_type"),
                payload,
                (String) row.get("dedupe_key"),
                ((Number) row.get("schema_version")).intValue(),
                headers((String) row.get("headers")),
                ((Timestamp) row.get("created_at")).toInstant(),
                ((Number) row.get("attempts")).intValue(),
                destination);
        if (refusal != null) {
            event.failed(refusal, true);
        }
        return event;
    }

    private Map<String, String> headers(String text) {
        if (text == null || text.isEmpty() || text.equals("{}")) {
            return Map.of(); // the column's default: no parser needed
        }
        try {
            // Producers writing plain SQL may store numbers or objects: they travel as their JSON text.
            Map<String, String> headers = new LinkedHashMap<>();
            json.readTree(text).properties().forEach(field -> headers.put(field.getKey(),
                    field.getValue().isTextual() ? field.getValue().textValue() : field.getValue().toString()));
            return headers;
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private void check(RelayEvent event) {
        Destination destination = event.destination();
        if (destination == null) {
            event.failed("topic '" + event.topic() + "' matches no entry of the routing table and there is no "
                    + "default route (outbox.routing)", true);
            return;
        }
        int limit = switch (destination.broker()) {
            case KAFKA -> properties.maxBytes().kafka();
            case SQS -> properties.maxBytes().sqs();
            case RABBITMQ -> properties.maxBytes().rabbitmq();
        };
        int size = event.payload().getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<String, String> header : event.headers().entrySet()) {
            size += header.getKey().length() + header.getValue().length();
        }
        if (size > limit) {
            event.failed("event of " + size + " bytes exceeds the " + destination.broker().configName()
                    + " limit of " + limit + " bytes (outbox.relay.max-bytes." + destination.broker().configName() + ")",
                    true);
        }
    }

    private void limitRate(RelayEvent event) {
        if (event.outcome() == RelayEvent.Outcome.PENDING && !rateLimits.tryAcquire(event.topic())) {
            event.deferred(rateLimits.millisUntilNext(event.topic()));
        }
    }

    public boolean hasNextWave(Exchange exchange) {
        return batch(exchange).hasNextWave();
    }

    public List<SendUnit> nextWave(Exchange exchange) {
        return batch(exchange).nextWave();
    }

    /** Works out what to write back, and counts and logs the outcome. */
    public Settlement settle(Exchange exchange) {
        RelayBatch batch = batch(exchange);
        Settlement settlement = batch.settlement();
        exchange.setProperty(SETTLEMENT, settlement);
        phase("send", (batch.settledNanos() - batch.openedNanos()) / 1_000_000);
        record(batch);
        return settlement;
    }

    /** The last step of a batch: times writing the outcome back. */
    public void closed(Exchange exchange) {
        RelayBatch batch = batch(exchange);
        phase("settle", (System.nanoTime() - batch.settledNanos()) / 1_000_000);
    }

    private void phase(String phase, long millis) {
        phaseTimers.computeIfAbsent(phase, name -> Timer.builder("outbox.relay.batch.phase")
                .description("Time a relay batch spends claiming, sending and writing back its outcome")
                .tag("phase", name)
                .register(meters))
                .record(Duration.ofMillis(millis));
    }

    /**
     * Gives the whole batch back after a step of it failed: its transaction is rolled back, which writes
     * nothing and lets go of every event, to be claimed again.
     */
    public void abandon(Exchange exchange) {
        RelayBatch batch = batch(exchange);
        if (batch != null) {
            batch.events().forEach(tracing::end);
        }
        RelayTransaction.rollBack(exchange);
    }

    private void record(RelayBatch batch) {
        Instant now = Instant.now();
        for (RelayEvent event : batch.events()) {
            tracing.end(event);
            Destination destination = event.destination();
            String broker = destination == null ? "none" : destination.broker().configName();
            switch (event.outcome()) {
                case PUBLISHED -> {
                    PublishMeters published = publishMeters(broker, event.topic());
                    published.count().increment();
                    if (log.isDebugEnabled()) {
                        try (EventLogContext ignored = EventLogContext.of(event.id().toString(), event.dedupeKey(),
                            event.attempts(), batch.openedNanos())) {
                            log.debug("Published {} to {}", event, destination);
                        }
                    }
                    Instant acked = event.publishedAt() == null ? now : event.publishedAt();
                    published.latency().record(Duration.between(event.createdAt(), acked));
                }
                case FAILED -> {
                    Counter.builder("outbox.relay.failures")
                            .description("Failed publish attempts; kind=rejected counts towards parking")
                            .tag("broker", broker)
                            .tag("topic", event.topic())
                            .tag("kind", event.rejected() ? "rejected" : "unreachable")
                            .register(meters)
                            .increment();
                    try (EventLogContext ignored = EventLogContext.of(event.id().toString(), event.dedupeKey(),
                            event.attempts(), batch.openedNanos())) {
                        log.warn("Publishing {} (dedupe key {}, attempt {}) to {} failed: {}", event, event.dedupeKey(),
                                event.attempts() + 1, destination, event.error());
                    }
                }
                case DEFERRED -> meters.counter("outbox.relay.deferred", "topic", event.topic()).increment();
                default -> {
                }
            }
        }
        int outOfOrder = batch.publishedOutOfOrder();
        if (outOfOrder > 0) {
            meters.counter("outbox.relay.published.out.of.order").increment(outOfOrder);
            log.warn("{} event(s) were acknowledged after an earlier event of their aggregate failed", outOfOrder);
        }
    }

    /** Registered once per broker and topic: building and looking up meters per event cost the relay CPU. */
    private PublishMeters publishMeters(String broker, String topic) {
        return publishMeters.computeIfAbsent(broker + ' ' + topic, key -> new PublishMeters(
                Counter.builder("outbox.relay.published").tag("broker", broker).tag("topic", topic).register(meters),
                Timer.builder("outbox.relay.publish.latency")
                        .description("Time from the event's commit to the broker's acknowledgement")
                        .tag("broker", broker)
                        .publishPercentiles(0.5, 0.95, 0.99)
                        .publishPercentileHistogram()
                        .register(meters)));
    }

    private record PublishMeters(Counter count, Timer latency) {
    }

    private static RelayBatch batch(Exchange exchange) {
        return exchange.getProperty(BATCH, RelayBatch.class);
    }
}
