package dev.outboxrelay.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outboxrelay.consume.CompletedWork;
import dev.outboxrelay.consume.ConsumeProperties;
import dev.outboxrelay.consume.ConsumerRoutes;
import dev.outboxrelay.consume.DeadLetterLedger;
import dev.outboxrelay.consume.ScriptedHandler;
import dev.outboxrelay.outbox.OutboxEvent;

/**
 * Base of the consumer tests: starts consumers of its own on per-test topics and queues (the relay
 * instance {@code test-a} publishes the test's events to them), and reads back what the scripted
 * handler committed.
 */
public abstract class ConsumerTestSupport extends RelayTestSupport {

    @Autowired
    protected ConsumerRoutes consumers;

    @Autowired
    protected ScriptedHandler handler;

    @Autowired
    protected DeadLetterLedger ledger;

    @Autowired
    protected ObjectMapper json;

    @Autowired
    protected MeterRegistry meters;

    @Autowired
    protected CompletedWork completions;

    private final List<String> started = new ArrayList<>();

    @AfterEach
    void stopConsumers() throws Exception {
        for (String name : started) {
            consumers.stop(name);
        }
        started.clear();
    }

    /** A consumer test topic of the given kind, e.g. {@code kafka.consume-<name>}. */
    protected static String consumeTopic(BrokerProbe.Kind kind, String name) {
        return kind.topic("consume-" + name);
    }

    /** Where the test profile's routing table sends a topic: Kafka topic, SQS queue, RabbitMQ exchange. */
    protected static String destinationOf(BrokerProbe.Kind kind, String topic) {
        return switch (kind) {
            case KAFKA -> topic;
            case SQS -> topic.replace('.', '-');
            case SQS_FIFO -> topic.replace('.', '-') + ".fifo";
            case RABBITMQ -> "outbox-test";
        };
    }

    /** Starts a consumer of the topic's destination, named after the topic. */
    protected String startConsumer(BrokerProbe.Kind kind, String topic) {
        return startConsumer(kind, topic, 1, null);
    }

    protected String startConsumer(BrokerProbe.Kind kind, String topic, int concurrency, Integer prefetch) {
        String name = "c-" + topic;
        ConsumeProperties.Consumer consumer = switch (kind) {
            case KAFKA -> {
                // two partitions: enough for two consumers of a group, and light on the shared test broker
                try (KafkaRecords kafka = new KafkaRecords()) {
                    kafka.createTopic(topic, 2, Map.of());
                }
                yield new ConsumeProperties.Consumer(name, kind.broker(), List.of(topic), null, null, concurrency,
                        prefetch, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(20), true, null);
            }
            case SQS, SQS_FIFO -> new ConsumeProperties.Consumer(name, kind.broker(), List.of(),
                    destinationOf(kind, topic), null, concurrency, prefetch, Duration.ofMillis(200), Duration.ofSeconds(1),
                    Duration.ofSeconds(20), true, null);
            case RABBITMQ -> new ConsumeProperties.Consumer(name, kind.broker(), List.of(topic), "q-" + topic,
                    destinationOf(kind, topic), concurrency, prefetch, Duration.ofMillis(200), Duration.ofSeconds(1),
                    Duration.ofSeconds(20), true, null);
        };
        startConsumer(consumer);
        if (kind == BrokerProbe.Kind.KAFKA) {
            // a new group takes a few seconds to join; tests that time things start after that
            try (KafkaRecords kafka = new KafkaRecords()) {
                await("consumer group " + name + " assigned", Duration.ofSeconds(30), () ->
                        kafka.assignments(name, topic).stream().mapToInt(List::size).sum() > 0);
            }
        }
        return name;
    }

    /** Starts a consumer that is stopped after the test. */
    protected void startConsumer(ConsumeProperties.Consumer consumer) {
        consumers.start(consumer);
        if (!started.contains(consumer.name())) {
            started.add(consumer.name());
        }
    }

    /** An event whose payload scripts the handler (see {@link ScriptedHandler}). */
    protected OutboxEvent scripted(String topic, String aggregate, String dedupeKey, Map<String, Object> script) {
        Map<String, Object> payload = new LinkedHashMap<>(script);
        payload.put("key", dedupeKey);
        try {
            return OutboxEvent.builder(topic).aggregateId(aggregate).eventType("TestEvent")
                    .payload(json.writeValueAsString(payload)).dedupeKey(dedupeKey).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Committed handler runs for a consumer's dedupe key. */
    protected int effects(String consumer, String dedupeKey) {
        return count("SELECT count(*) FROM test_effects WHERE consumer = ? AND dedupe_key = ?", consumer, dedupeKey);
    }

    /** Committed handler runs of a consumer. */
    protected int effects(String consumer) {
        return count("SELECT count(*) FROM test_effects WHERE consumer = ?", consumer);
    }

    /**
     * Terminates the database backend of the handler transaction that wrote a test effect and waits,
     * uncommitted, inside a held handler; answers how many backends were terminated.
     */
    protected int killHeldHandlerTransaction() {
        Integer killed = jdbc.queryForObject("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND state = 'idle in transaction'
                  AND query LIKE 'INSERT INTO test_effects%'""", Integer.class);
        return killed == null ? 0 : killed;
    }

    protected int processedKeys(String consumer) {
        return count("SELECT count(*) FROM consumer_processed_keys WHERE consumer = ?", consumer);
    }

    /** How often a consumer skipped an event as already handled. */
    protected int duplicates(String consumer) {
        return (int) meters.find("outbox.consumer.events").tag("consumer", consumer).tag("outcome", "duplicate")
                .counters().stream().mapToDouble(counter -> counter.count()).sum();
    }

    /**
     * Makes the relay send an event again, as after a crash between its send and its mark. Waits for the
     * first send's mark: a consumer can hold the event before the relay has written it, and clearing
     * the mark before that would be overwritten by it, so the event would go out only once.
     */
    protected void relayAgain(String dedupeKey) {
        await("the relay marked " + dedupeKey + " published", Duration.ofSeconds(30), () -> count(
                "SELECT count(*) FROM outbox_events WHERE dedupe_key = ? AND published_at IS NOT NULL", dedupeKey) == 1);
        assertThat(jdbc.update("UPDATE outbox_events SET published_at = NULL WHERE dedupe_key = ? AND published_at IS NOT NULL",
                dedupeKey)).as("published mark of %s cleared", dedupeKey).isEqualTo(1);
    }

    protected int deadLetters(String consumer) {
        return count("SELECT count(*) FROM consumer_dead_letters WHERE consumer = ?", consumer);
    }
}
