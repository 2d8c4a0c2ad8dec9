package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outboxrelay.brokers.BrokerPublisher;
import dev.outboxrelay.relay.EventHeaders;
import dev.outboxrelay.relay.SqsSink;

/**
 * Sends dead letters back to where their consumer read them: the Kafka topic, the SQS queue, or the
 * RabbitMQ queue itself (through the default exchange, so no other queue bound to the original
 * exchange sees the event again). The event keeps its dedupe key, so replaying something that was
 * handled meanwhile, or replaying twice, changes nothing.
 */
@Component
public class DeadLetterReplay {

    /** Header on a replayed message: when it was replayed. */
    public static final String REPLAYED_AT = "outbox-replayed-at";

    private static final Set<String> SQS_ATTRIBUTES = Set.of(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE,
            EventHeaders.DEDUPE_KEY, EventHeaders.TOPIC, EventHeaders.AGGREGATE_ID, EventHeaders.CREATED_AT,
            EventHeaders.SCHEMA_VERSION, EventHeaders.TRACEPARENT, EventHeaders.TRACESTATE);
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);

    private final DeadLetterLedger ledger;
    private final BrokerPublisher publisher;
    private final ObjectMapper json;

    public DeadLetterReplay(DeadLetterLedger ledger, BrokerPublisher publisher, ObjectMapper json) {
        this.ledger = ledger;
        this.publisher = publisher;
        this.json = json;
    }

    /** Replays one dead letter; empty when there is no such id. */
    public Optional<DeadLetter> replay(UUID id) {
        Optional<DeadLetter> found = ledger.find(id);
        found.ifPresent(this::send);
        return found.flatMap(letter -> ledger.find(letter.id()));
    }

    /** Replays every dead letter matching the filter, oldest first; answers the ids replayed. */
    public List<UUID> replay(DeadLetterFilter filter) {
        List<UUID> replayed = new ArrayList<>();
        for (DeadLetter letter : ledger.search(filter)) {
            send(letter);
            replayed.add(letter.id());
        }
        return replayed;
    }

    private void send(DeadLetter letter) {
        Map<String, String> headers = new LinkedHashMap<>(letter.headers());
        headers.keySet().removeIf(name -> name.startsWith("outbox-dead-letter"));
        headers.put(REPLAYED_AT, Instant.now().toString());
        String key = letter.aggregateId() != null ? letter.aggregateId() : letter.dedupeKey();
        switch (letter.broker()) {
            case KAFKA -> publisher.kafka(letter.source(), key, headers, letter.payload());
            // a fresh deduplication id: SQS would drop a FIFO re-send of the original within five minutes;
            // the consumer still deduplicates by the event's dedupe key
            case SQS -> publisher.sqs(letter.source(), key, letter.dedupeKey() + ":replay:" + UUID.randomUUID(),
                    BrokerPublisher.sqsAttributes(headers, SQS_ATTRIBUTES, SqsSink.HEADERS_ATTRIBUTE, json),
                    letter.payload());
            case RABBITMQ -> publisher.rabbit("", letter.source(), letter.dedupeKey(), new LinkedHashMap<>(headers),
                    letter.payload(), null);
        }
        ledger.markReplayed(letter.id());
        log.info("Replayed dead letter {} ({}, dedupe key {}) to {}:{}", letter.id(), letter.topic(),
                letter.dedupeKey(), letter.broker().configName(), letter.source());
    }
}
