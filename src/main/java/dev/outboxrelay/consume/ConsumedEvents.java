package dev.outboxrelay.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.outboxrelay.completion.WorkCompleted;
import dev.outboxrelay.observe.EventLogContext;
import dev.outboxrelay.relay.EventHeaders;
import dev.outboxrelay.relay.SqsSink;
import dev.outboxrelay.routing.Broker;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The consumer routes' common steps: turns a broker message into a {@link ConsumedEvent}, checks it
 * before its handler runs, and reports the outcome once the handler's transaction has committed.
 */
@Component("consumedEvents")
public class ConsumedEvents {

    /** Exchange property: the {@link ConsumedEvent} being processed. */
    public static final String EVENT = "outboxEvent";
    /** Exchange property: kafka, sqs or rabbitmq, for the dead-letter route's choice. */
    public static final String BROKER = "outboxBroker";
    /** Header read by the idempotent consumer. */
    public static final String DEDUPE_KEY = "outboxDedupeKey";
    /** Exchange property: what processing did, {@link #HANDLED} or {@link #DUPLICATE}. */
    public static final String OUTCOME = "outboxOutcome";
    public static final String HANDLED = "handled";
    public static final String DUPLICATE = "duplicate";
    /** Exchange property: the event was neither handled nor dead-lettered, so its message stays unacknowledged. */
    public static final String FAILED = "outboxFailed";
    /**
     * Exchange property, with the reason: the event must be neither retried nor dead-lettered now, because
     * earlier events of its partition were rolled back and come again first; it comes again after them.
     */
    public static final String HELD = "outboxHeld";
    /** Exchange property: when processing of this delivery started. */
    static final String STARTED = "outboxStarted";

    private static final Logger log = LoggerFactory.getLogger(ConsumedEvents.class);

    private final ObjectMapper json;
    private final ObjectProvider<IncomingEventCheck> checks;
    private final EventHandlers handlers;
    private final ApplicationEventPublisher publisher;
    private final MeterRegistry meters;
    // looked up per event otherwise: the registry's lookup builds and hashes an id each time
    private final Map<Outcome, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Outcome, Timer> timers = new ConcurrentHashMap<>();
    // the beans never change after start-up; ordering them for every event cost more than running them
    private volatile List<IncomingEventCheck> orderedChecks;

    public ConsumedEvents(ObjectMapper json, ObjectProvider<IncomingEventCheck> checks, EventHandlers handlers,
                          ApplicationEventPublisher publisher, MeterRegistry meters) {
        this.json = json;
        this.checks = checks;
        this.handlers = handlers;
        this.publisher = publisher;
        this.meters = meters;
    }

    public static ConsumedEvent event(Exchange exchange) {
        return exchange.getProperty(EVENT, ConsumedEvent.class);
    }

    /**
     * Puts the event on the exchange for the shared processing route, and on the thread's logging
     * context until {@link #detach()}.
     */
    public static void attach(Exchange exchange, ConsumedEvent event) {
        long started = System.nanoTime();
        exchange.setProperty(EVENT, event);
        exchange.setProperty(BROKER, event.broker().configName());
        exchange.setProperty(STARTED, started);
        EventLogContext.of(event.id(), event.dedupeKey(), 0, started);
        exchange.removeProperty(OUTCOME);
        exchange.removeProperty(FAILED);
        exchange.removeProperty(HELD);
        exchange.getMessage().setHeader(DEDUPE_KEY, event.dedupeKey());
        exchange.getMessage().setBody(event.payload());
    }

    /** The consumer thread is done with the event: its lines no longer carry it. */
    public void detach() {
        EventLogContext.clear();
    }

    /** Brings the logging context's retry count and time so far up to date. */
    static void updateLogContext(Exchange exchange, int retryCount) {
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            EventLogContext.update(retryCount, started);
        }
    }

    /** A Kafka record of a batch, as the consumer named reads it. */
    public ConsumedEvent fromKafka(Exchange record, String consumer) {
        Map<String, Object> raw = record.getMessage().getHeaders();
        Map<String, String> headers = new LinkedHashMap<>();
        raw.forEach((name, value) -> {
            if (!name.startsWith("kafka.") && !name.startsWith("Camel")) {
                String text = text(value);
                if (text != null) {
                    headers.put(name, text);
                }
            }
        });
        String topic = record.getMessage().getHeader(KafkaConstants.TOPIC, String.class);
        String coordinates = topic + "/" + record.getMessage().getHeader(KafkaConstants.PARTITION)
                + "/" + record.getMessage().getHeader(KafkaConstants.OFFSET);
        String key = text(raw.get(KafkaConstants.KEY));
        return build(headers, record.getMessage().getBody(String.class), topic, key, coordinates, consumer,
                Broker.KAFKA, topic);
    }

    /** An SQS message of the queue the consumer named reads. */
    @SuppressWarnings("unchecked")
    public ConsumedEvent fromSqs(Exchange exchange, String consumer, String queue) {
        Map<String, MessageAttributeValue> attributes = exchange.getMessage()
                .getHeader(Sqs2Constants.MESSAGE_ATTRIBUTES, Map.class);
        Map<String, String> headers = new LinkedHashMap<>();
        if (attributes != null) {
            attributes.forEach((name, value) -> {
                if (value.stringValue() != null) {
                    headers.put(name, value.stringValue());
                }
            });
        }
        String packed = headers.remove(SqsSink.HEADERS_ATTRIBUTE);
        if (packed != null) {
            try {
                json.readTree(packed).properties().forEach(field ->
                        headers.putIfAbsent(field.getKey(), field.getValue().asText()));
            } catch (JsonProcessingException e) {
                log.warn("Ignoring unreadable {} attribute on a message of {}", SqsSink.HEADERS_ATTRIBUTE, queue);
            }
        }
        Map<String, String> system = exchange.getMessage().getHeader(Sqs2Constants.ATTRIBUTES, Map.class);
        String messageId = exchange.getMessage().getHeader(Sqs2Constants.MESSAGE_ID, String.class);
        String fallbackKey = system == null ? null : systemAttribute(system, "MessageDeduplicationId");
        String group = system == null ? null : systemAttribute(system, "MessageGroupId");
        return build(headers, exchange.getMessage().getBody(String.class), queue, group,
                fallbackKey != null ? fallbackKey : messageId, consumer, Broker.SQS, queue);
    }

    private static String systemAttribute(Map<?, ?> system, String name) {
        for (Map.Entry<?, ?> entry : system.entrySet()) {
            if (String.valueOf(entry.getKey()).equals(name)) {
                return String.valueOf(entry.getValue());
            }
        }
        return null;
    }

    /** A RabbitMQ message of the queue the consumer named reads. */
    public ConsumedEvent fromRabbit(Exchange exchange, String consumer, String queue) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (!name.startsWith("Camel") && !name.startsWith("x-")) {
                String text = text(value);
                if (text != null) {
                    headers.put(name, text);
                }
            }
        });
        String routingKey = exchange.getMessage().getHeader(SpringRabbitMQConstants.ROUTING_KEY, String.class);
        String messageId = exchange.getMessage().getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class);
        String type = exchange.getMessage().getHeader(SpringRabbitMQConstants.TYPE, String.class);
        if (type != null) {
            headers.putIfAbsent(EventHeaders.EVENT_TYPE, type);
        }
        return build(headers, exchange.getMessage().getBody(String.class), routingKey, null,
                messageId, consumer, Broker.RABBITMQ, queue);
    }

    private ConsumedEvent build(Map<String, String> headers, String body, String fallbackTopic, String fallbackAggregate,
                                String fallbackKey, String consumer, Broker broker, String source) {
        String topic = headers.getOrDefault(EventHeaders.TOPIC, fallbackTopic);
        String dedupeKey = headers.getOrDefault(EventHeaders.DEDUPE_KEY, fallbackKey);
        String id = headers.getOrDefault(EventHeaders.EVENT_ID, fallbackKey);
        return new ConsumedEvent(id, topic == null ? source : topic,
                headers.getOrDefault(EventHeaders.EVENT_TYPE, "unknown"),
                headers.getOrDefault(EventHeaders.AGGREGATE_ID, fallbackAggregate),
                dedupeKey, schemaVersion(headers.get(EventHeaders.SCHEMA_VERSION)), body == null ? "" : body,
                headers, instant(headers.get(EventHeaders.CREATED_AT)), instant(headers.get(EventHeaders.DUE_AT)),
                consumer, broker, source);
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof CharSequence) {
            return value.toString();
        }
        return null;
    }

    private static int schemaVersion(String text) {
        if (text == null) {
            return 1;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The checks before the handler's transaction: a usable dedupe key, a mapped handler and every
     * {@link IncomingEventCheck}. A failure here is permanent.
     */
    public void check(Exchange exchange) {
        check(event(exchange));
    }

    void check(ConsumedEvent event) {
        if (event.dedupeKey() == null || event.dedupeKey().isBlank()) {
            throw new PermanentEventException("the message has no dedupe key (" + EventHeaders.DEDUPE_KEY
                    + " header, SQS deduplication id or AMQP message-id)");
        }
        if (event.schemaVersion() < 1) {
            throw new PermanentEventException("the schema version '" + event.header(EventHeaders.SCHEMA_VERSION)
                    + "' is not a positive number");
        }
        if (handlers.handlerOf(event.topic(), event.eventType()).isEmpty()) {
            throw new PermanentEventException("no handler is mapped to topic '" + event.topic()
                    + "' and event type '" + event.eventType() + "' (outbox.consume.handlers)");
        }
        List<IncomingEventCheck> all = orderedChecks;
        if (all == null) {
            all = checks.orderedStream().toList();
            orderedChecks = all;
        }
        for (IncomingEventCheck check : all) {
            check.check(event);
        }
    }

    /**
     * After the handler's transaction: counts, times and announces the outcome once it is committed, which
     * for a record of a Kafka batch is when the batch transaction commits (see {@link BatchTransaction}).
     */
    public void completed(Exchange exchange) {
        ConsumedEvent event = event(exchange);
        boolean duplicate = !HANDLED.equals(exchange.getProperty(OUTCOME, String.class));
        if (duplicate) {
            exchange.setProperty(OUTCOME, DUPLICATE);
        }
        int redeliveries = exchange.getProperty(ConsumerRedelivery.ATTEMPTS, 0, Integer.class);
        Long started = exchange.getProperty(STARTED, Long.class);
        BatchTransaction.afterCommit(exchange, () -> report(event, duplicate, redeliveries, started));
    }

    /** Counts, times and announces an event whose transaction has committed. */
    void report(ConsumedEvent event, boolean duplicate, int redeliveries, Long started) {
        if (started != null) {
            EventLogContext.of(event.id(), event.dedupeKey(), redeliveries, started);
        }
        Outcome outcome = new Outcome(event.consumer(), event.broker().configName(), event.topic(),
                duplicate ? DUPLICATE : HANDLED);
        counters.computeIfAbsent(outcome, key -> meters.counter("outbox.consumer.events", "consumer", key.consumer(),
                "broker", key.broker(), "topic", key.topic(), "outcome", key.outcome())).increment();
        if (started != null) {
            timers.computeIfAbsent(new Outcome(event.consumer(), outcome.broker(), event.topic(), null),
                    key -> Timer.builder("outbox.consumer.processing")
                    .description("Time from receiving an event to its handler's commit, retries included")
                    .tag("consumer", key.consumer())
                    .tag("broker", key.broker())
                    .tag("topic", key.topic())
                    .publishPercentiles(0.5, 0.95, 0.99)
                    .publishPercentileHistogram()
                    // bounds the histogram's buckets per consumer and topic to the range that matters
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(2))
                    .register(meters)).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        if (duplicate) {
            log.debug("{} was handled before: skipped", event);
            return;
        }
        log.debug("Handled {} after {} redelivery(ies)", event, redeliveries);
        publisher.publishEvent(new WorkCompleted(WorkCompleted.EVENT, event.id(), event.topic(), event.dedupeKey(),
                WorkCompleted.SUCCEEDED, null, Instant.now()));
    }

    /** The tags of the processed-events count; the timing's, with a null outcome. */
    private record Outcome(String consumer, String broker, String topic, String outcome) {
    }
}
