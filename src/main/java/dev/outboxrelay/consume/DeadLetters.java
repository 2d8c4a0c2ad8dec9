package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.outboxrelay.brokers.BrokerPublisher;
import dev.outboxrelay.brokers.SqsQueues;
import dev.outboxrelay.completion.WorkCompleted;
import dev.outboxrelay.relay.EventHeaders;

/**
 * The dead-letter route's steps: sends an event the consumer gave up on to the dead-letter destination
 * of the broker it came from, then records it in the {@link DeadLetterLedger}.
 *
 * <ul>
 *   <li>Kafka: topic {@code <source topic>.dlq}, same key, the original headers plus the dead-letter ones.</li>
 *   <li>SQS: queue {@code <source queue>-dlq} (FIFO for a FIFO source), the original body; the event's
 *       metadata as attributes and the dead-letter details as JSON in {@code outbox-dead-letter}, because
 *       SQS takes only ten attributes.</li>
 *   <li>RabbitMQ: the dead-letter exchange, routed by the source queue's name to {@code <queue>.dlq}.</li>
 * </ul>
 * Only once the broker acknowledged the dead letter does the consumer acknowledge the original; if it
 * cannot be sent, the original stays unacknowledged and comes back.
 */
@Component("deadLetters")
public class DeadLetters {

    public static final String ERROR = "outbox-dead-letter-error";
    public static final String ATTEMPTS = "outbox-dead-letter-attempts";
    public static final String FIRST_FAILED_AT = "outbox-dead-letter-first-failed-at";
    public static final String DEAD_LETTERED_AT = "outbox-dead-letter-at";
    public static final String CONSUMER = "outbox-dead-letter-consumer";
    public static final String SOURCE = "outbox-dead-letter-source";
    /** The one SQS attribute holding the dead-letter details and the event's other headers, as JSON. */
    public static final String SQS_DETAILS = "outbox-dead-letter";

    private static final Set<String> SQS_ATTRIBUTES = Set.of(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE,
            EventHeaders.DEDUPE_KEY, EventHeaders.TOPIC, EventHeaders.AGGREGATE_ID, EventHeaders.CREATED_AT,
            EventHeaders.SCHEMA_VERSION, EventHeaders.TRACEPARENT);

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final BrokerPublisher publisher;
    private final DeadLetterLedger ledger;
    private final ConsumeProperties properties;
    private final ConsumerRedelivery redelivery;
    private final ApplicationEventPublisher events;
    private final MeterRegistry meters;
    private final ObjectMapper json;

    public DeadLetters(BrokerPublisher publisher, DeadLetterLedger ledger, ConsumeProperties properties,
                       ConsumerRedelivery redelivery, ApplicationEventPublisher events, MeterRegistry meters,
                       ObjectMapper json) {
        this.publisher = publisher;
        this.ledger = ledger;
        this.properties = properties;
        this.redelivery = redelivery;
        this.events = events;
        this.meters = meters;
        this.json = json;
    }

    /** Sends the failed event to its broker's dead-letter destination and waits for the acknowledgement. */
    public void publish(Exchange exchange) {
        String held = exchange.getProperty(ConsumedEvents.HELD, String.class);
        if (held != null) {
            // failing here leaves the message unacknowledged, as any dead letter that could not be sent
            throw new IllegalStateException("not dead-lettered now: " + held);
        }
        ConsumedEvent event = ConsumedEvents.event(exchange);
        Failure failure = failure(exchange);
        Map<String, String> headers = new LinkedHashMap<>(event.headers());
        headers.put(ERROR, failure.error());
        headers.put(ATTEMPTS, Integer.toString(failure.attempts()));
        headers.put(FIRST_FAILED_AT, failure.firstFailedAt().toString());
        headers.put(DEAD_LETTERED_AT, Instant.now().toString());
        headers.put(CONSUMER, event.consumer());
        headers.put(SOURCE, event.broker().configName() + ":" + event.source());
        ConsumeProperties.DeadLetter names = properties.deadLetter();
        switch (event.broker()) {
            case KAFKA -> publisher.kafka(event.source() + names.kafkaSuffix(),
                    event.aggregateId() != null ? event.aggregateId() : event.dedupeKey(), headers, event.payload());
            case SQS -> publisher.sqs(SqsQueues.deadLetterQueueOf(event.source(), names.sqsSuffix()),
                    event.aggregateId() != null ? event.aggregateId() : event.dedupeKey(),
                    event.dedupeKey() + ":" + headers.get(DEAD_LETTERED_AT),
                    BrokerPublisher.sqsAttributes(headers, SQS_ATTRIBUTES, SQS_DETAILS, json), event.payload());
            case RABBITMQ -> publisher.rabbit(names.rabbitmqExchange(), event.source(), event.dedupeKey(),
                    new LinkedHashMap<>(headers), event.payload(), null);
        }
    }

    /** After the broker took the dead letter: the ledger row, the count and the completion event. */
    public void recorded(Exchange exchange) {
        ConsumedEvent event = ConsumedEvents.event(exchange);
        Failure failure = failure(exchange);
        UUID id = ledger.record(event, failure.error(), failure.attempts(), failure.firstFailedAt());
        ConsumedEvents.updateLogContext(exchange, failure.attempts() - 1);
        meters.counter("outbox.consumer.dead.letters", "consumer", event.consumer(),
                "broker", event.broker().configName(), "topic", event.topic()).increment();
        log.warn("Dead-lettered {} after {} attempt(s) (dead letter {}): {}", event, failure.attempts(), id,
                failure.error());
        WorkCompleted completed = new WorkCompleted(WorkCompleted.EVENT, event.id(), event.topic(), event.dedupeKey(),
                WorkCompleted.DEAD_LETTERED, failure.error(), Instant.now());
        // a Kafka batch commits before a dead letter (KafkaBatches), so this is at once; never before a commit
        BatchTransaction.afterCommit(exchange, () -> events.publishEvent(completed));
    }

    private Failure failure(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int attempts = exchange.getProperty(ConsumerRedelivery.ATTEMPTS, 1, Integer.class);
        Instant first = exchange.getProperty(ConsumerRedelivery.FIRST_FAILED_AT, Instant.class);
        String error = describe(caught);
        if (caught != null && redelivery.isPermanent(caught)) {
            error = "permanent: " + error;
        }
        return new Failure(error, attempts, first == null ? Instant.now() : first);
    }

    /** The failure and, when it wraps something, its root cause. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + ": " + root.getMessage();
        return root == failure ? text : failure.getClass().getSimpleName() + " caused by " + text;
    }

    private record Failure(String error, int attempts, Instant firstFailedAt) {
    }
}
