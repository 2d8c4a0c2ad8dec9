package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.brokers.SqsQueues;
import dev.outboxrelay.completion.WorkCompleted;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.Delivered;
import dev.outboxrelay.support.KafkaRecords;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Failures are retried with growing delays (the test profile's policy for {@code *consume-backoff-*}
 * topics: 250 ms, then x2, 4 attempts; 200 ms, x2, 3 attempts elsewhere); an event that keeps failing
 * lands in its broker's dead-letter destination with its error, attempt count and timestamps while the
 * other events keep flowing; a permanent error skips redelivery.
 */
class RedeliveryTest extends ConsumerTestSupport {

    @Autowired
    SqsClient sqs;

    @Autowired
    AmqpAdmin amqp;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void handlerFailingTwiceIsRetriedWithGrowingDelaysAndSucceeds(BrokerProbe.Kind kind) {
        String topic = consumeTopic(kind, "backoff-" + unique());
        String consumer = startConsumer(kind, topic);
        String key = topic + ":flaky";
        writer.write(scripted(topic, "agg-1", key, Map.of("failTimes", 2)));

        await("handled on the third attempt", Duration.ofSeconds(30), () -> effects(consumer, key) == 1);
        List<Instant> attempts = handler.attemptTimes(consumer, key);
        assertThat(attempts).hasSize(3);
        Duration first = Duration.between(attempts.get(0), attempts.get(1));
        Duration second = Duration.between(attempts.get(1), attempts.get(2));
        assertThat(first).as("first wait: the initial delay").isGreaterThanOrEqualTo(Duration.ofMillis(240));
        assertThat(second).as("second wait: initial delay x 2").isGreaterThanOrEqualTo(Duration.ofMillis(490));
        assertThat(second).isGreaterThan(first);
        assertThat(deadLetters(consumer)).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void handlerThatAlwaysFailsIsDeadLetteredWithItsErrorAndOthersKeepFlowing(BrokerProbe.Kind kind) throws Exception {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        String poison = topic + ":poison";
        List<OutboxEvent> events = new ArrayList<>();
        // the healthy events share the poison's aggregate too: on a FIFO queue they follow it in its group
        events.add(scripted(topic, "agg-0", poison, Map.of("alwaysFail", true)));
        for (int i = 0; i < 6; i++) {
            events.add(scripted(topic, "agg-" + (i % 3), topic + ":" + i, Map.of()));
        }
        Instant before = Instant.now();
        writer.writeAll(events);

        await("healthy events handled", Duration.ofSeconds(30), () -> effects(consumer) == 6);
        await("poison dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
        assertThat(handler.attempts(consumer, poison)).as("max-attempts of the test profile").isEqualTo(3);
        assertThat(effects(consumer, poison)).isZero();

        DeadLetter letter = ledger.search(new DeadLetterFilter(consumer, null, null, null, null, null, 10)).get(0);
        assertThat(letter.error()).contains("IllegalStateException").contains("scripted failure 3");
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.dedupeKey()).isEqualTo(poison);
        assertThat(letter.firstFailedAt()).isAfter(before).isBefore(letter.deadLetteredAt());
        assertThat(letter.status()).isEqualTo("dead");

        Delivered dead = readDeadLetterDestination(kind, topic, consumer);
        assertThat(json.readTree(dead.body()).path("alwaysFail").asBoolean()).as("the original body").isTrue();
        Map<String, String> details = details(kind, dead);
        assertThat(details.get(DeadLetters.ERROR)).contains("scripted failure 3");
        assertThat(details.get(DeadLetters.ATTEMPTS)).isEqualTo("3");
        assertThat(details.get(DeadLetters.CONSUMER)).isEqualTo(consumer);
        assertThat(Instant.parse(details.get(DeadLetters.FIRST_FAILED_AT))).isAfter(before);
        assertThat(Instant.parse(details.get(DeadLetters.DEAD_LETTERED_AT))).isAfter(before);
        assertThat(dead.header("outbox-dedupe-key")).isEqualTo(poison);
        awaitSourceAcknowledged(kind, topic, consumer);
        assertThat(completions.of(poison)).singleElement().satisfies(completed -> {
            assertThat(completed.outcome()).isEqualTo(WorkCompleted.DEAD_LETTERED);
            assertThat(completed.detail()).contains("scripted failure 3");
        });
    }

    /** The original message was acknowledged once dead-lettered: committed, deleted or acked. */
    private void awaitSourceAcknowledged(BrokerProbe.Kind kind, String topic, String consumer) {
        switch (kind.broker()) {
            case KAFKA -> {
                try (KafkaRecords kafka = new KafkaRecords()) {
                    await("all offsets committed", Duration.ofSeconds(20), () -> kafka.committed(consumer).values()
                            .stream().mapToLong(offset -> offset == null ? 0 : offset).sum() == 7);
                }
            }
            case SQS -> {
                String url = sqs.getQueueUrl(request -> request.queueName(destinationOf(kind, topic))).queueUrl();
                await("no message left in the queue", Duration.ofSeconds(20), () -> {
                    Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(request -> request.queueUrl(url)
                            .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
                    return attributes.values().stream().allMatch("0"::equals);
                });
            }
            case RABBITMQ -> await("no message left in the queue", Duration.ofSeconds(20), () -> {
                java.util.Properties queue = amqp.getQueueProperties("q-" + topic);
                return queue != null && Integer.valueOf(0).equals(queue.get("QUEUE_MESSAGE_COUNT"));
            });
        }
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void permanentErrorSkipsRedelivery(BrokerProbe.Kind kind) {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        String key = topic + ":refused";
        writer.write(scripted(topic, "agg-1", key, Map.of("permanent", true)));

        await("dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
        assertThat(handler.attempts(consumer, key)).isEqualTo(1);
        DeadLetter letter = ledger.search(new DeadLetterFilter(consumer, null, null, null, null, null, 10)).get(0);
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.error()).startsWith("permanent: ").contains("PermanentEventException");
    }

    @Test
    void eventRefusedByAnIncomingCheckIsDeadLetteredBeforeItsHandlerRuns() {
        String topic = consumeTopic(BrokerProbe.Kind.KAFKA, unique());
        String consumer = startConsumer(BrokerProbe.Kind.KAFKA, topic);
        OutboxEvent event = scripted(topic, "agg-1", topic + ":v99", Map.of());
        writer.writeAll(List.of(new OutboxEvent(event.topic(), event.aggregateId(), event.eventType(), event.payload(),
                event.dedupeKey(), 99, Map.of(), null), scripted(topic, "agg-1", topic + ":v1", Map.of())));

        await("dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
        await("the next event handled", Duration.ofSeconds(30), () -> effects(consumer, topic + ":v1") == 1);
        assertThat(handler.attempts(consumer, topic + ":v99")).isZero();
        DeadLetter letter = ledger.search(new DeadLetterFilter(consumer, null, null, null, null, null, 10)).get(0);
        assertThat(letter.error()).contains("schema version 99").startsWith("permanent: ");
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.schemaVersion()).isEqualTo(99);
    }

    @Test
    void eventOfASchemaVersionTheConsumerDoesNotKnowIsDeadLetteredWithoutRedelivery() {
        // the topic has schemas/kafka.consume-versioned/v1.json only; a newer producer elsewhere writes v2
        String topic = "kafka.consume-versioned";
        String consumer = startConsumer(BrokerProbe.Kind.KAFKA, topic);
        String aggregate = "agg-" + unique();
        String newer = topic + ":" + aggregate + ":v2";
        jdbc.update("""
                INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key, schema_version)
                VALUES (?, ?, 'TestEvent', CAST(? AS jsonb), ?, 2)""",
                topic, aggregate, "{\"key\": \"" + newer + "\"}", newer);
        String known = topic + ":" + aggregate + ":v1";
        writer.write(scripted(topic, aggregate, known, Map.of()));

        await("the known version handled", Duration.ofSeconds(30), () -> effects(consumer, known) == 1);
        await("the unknown version dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
        assertThat(handler.attempts(consumer, newer)).as("its handler never ran").isZero();
        DeadLetter letter = ledger.search(new DeadLetterFilter(consumer, null, null, null, null, null, 10)).get(0);
        assertThat(letter.dedupeKey()).isEqualTo(newer);
        assertThat(letter.error()).startsWith("permanent: ").contains("schema version 2 of " + topic + " is not known");
        assertThat(letter.attempts()).as("not redelivered").isEqualTo(1);
    }

    private Delivered readDeadLetterDestination(BrokerProbe.Kind kind, String topic, String consumer) {
        String destination = switch (kind) {
            case KAFKA -> topic + ".dlq";
            case SQS, SQS_FIFO -> SqsQueues.deadLetterQueueOf(destinationOf(kind, topic), "-dlq");
            case RABBITMQ -> "q-" + topic + ".dlq";
        };
        try (BrokerProbe probe = kind == BrokerProbe.Kind.RABBITMQ ? BrokerProbe.rabbitQueue(destination)
                : BrokerProbe.forDestination(kind, topic, destination)) {
            List<Delivered> messages = probe.read(1, Duration.ofSeconds(20));
            assertThat(messages).hasSize(1);
            return messages.get(0);
        }
    }

    /** The dead-letter details: headers on Kafka and RabbitMQ, one JSON attribute on SQS. */
    private Map<String, String> details(BrokerProbe.Kind kind, Delivered dead) throws Exception {
        if (kind.broker() != dev.outboxrelay.routing.Broker.SQS) {
            return dead.headers();
        }
        JsonNode node = json.readTree(dead.header(DeadLetters.SQS_DETAILS));
        Map<String, String> details = new HashMap<>();
        node.properties().forEach(field -> details.put(field.getKey(), field.getValue().asText()));
        return details;
    }
}
