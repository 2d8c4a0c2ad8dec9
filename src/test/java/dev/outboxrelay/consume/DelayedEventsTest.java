package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outboxrelay.brokers.RabbitTopology;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.relay.EventHeaders;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A delayed event is not handled before its time and is handled after it, by each mechanism: the
 * outbox's available_at (held by the relay), SQS DelaySeconds, SQS visibility on a FIFO queue, a
 * RabbitMQ TTL delay queue that dead-letters back into the consumer's queue, and Kafka's due-time
 * header held in the database while the partition goes on.
 */
class DelayedEventsTest extends ConsumerTestSupport {

    private static final Duration DELAY = Duration.ofSeconds(3);

    @Autowired
    SqsClient sqs;

    @Autowired
    AmqpAdmin amqp;

    @Test
    void availableAtIsHeldByTheRelay() {
        String topic = consumeTopic(BrokerProbe.Kind.KAFKA, unique());
        String consumer = startConsumer(BrokerProbe.Kind.KAFKA, topic);
        Instant due = Instant.now().plus(DELAY);
        OutboxEvent event = scripted(topic, "agg-1", topic + ":later", Map.of());
        writer.write(new OutboxEvent(event.topic(), event.aggregateId(), event.eventType(), event.payload(),
                event.dedupeKey(), 1, Map.of(), due));

        assertNotHandledBefore(consumer, topic + ":later", due);
        assertThat(unpublished(topic)).as("still in the outbox").isEqualTo(1);
        assertHandledAfter(consumer, topic + ":later", due);
    }

    @Test
    void sqsDelaySecondsHoldsTheMessageInTheQueue() {
        String topic = consumeTopic(BrokerProbe.Kind.SQS, unique());
        String consumer = startConsumer(BrokerProbe.Kind.SQS, topic);
        Instant due = Instant.now().plus(DELAY);
        writer.write(dueAt(scripted(topic, "agg-1", topic + ":later", Map.of()), due));

        String url = sqs.getQueueUrl(request -> request.queueName(destinationOf(BrokerProbe.Kind.SQS, topic))).queueUrl();
        await("the message is delayed by SQS", Duration.ofSeconds(10), () -> "1".equals(sqs.getQueueAttributes(
                request -> request.queueUrl(url).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)));
        assertNotHandledBefore(consumer, topic + ":later", due);
        assertHandledAfter(consumer, topic + ":later", due);
    }

    @Test
    void sqsFifoMessageIsHiddenUntilDueWhileOtherGroupsFlow() {
        String topic = consumeTopic(BrokerProbe.Kind.SQS_FIFO, unique());
        String consumer = startConsumer(BrokerProbe.Kind.SQS_FIFO, topic);
        Instant due = Instant.now().plus(DELAY);
        writer.writeAll(List.of(dueAt(scripted(topic, "agg-1", topic + ":later", Map.of()), due),
                scripted(topic, "agg-2", topic + ":now", Map.of())));

        await("the other group handled at once", Duration.ofSeconds(10), () -> effects(consumer, topic + ":now") == 1);
        assertNotHandledBefore(consumer, topic + ":later", due);
        assertHandledAfter(consumer, topic + ":later", due);
    }

    @Test
    void rabbitMessageWaitsInATtlDelayQueue() {
        Assumptions.assumeTrue(servers().rabbit().isRealRabbit(), "needs RabbitMQ's per-message TTL and dead-lettering");
        String topic = consumeTopic(BrokerProbe.Kind.RABBITMQ, unique());
        String consumer = startConsumer(BrokerProbe.Kind.RABBITMQ, topic);
        Instant due = Instant.now().plus(DELAY);
        writer.write(dueAt(scripted(topic, "agg-1", topic + ":later", Map.of()), due));

        String delayQueue = "q-" + topic + ".delay." + RabbitTopology.bucketOf(DELAY);
        await("the message waits in the delay queue", Duration.ofSeconds(10), () -> {
            Properties queue = amqp.getQueueProperties(delayQueue);
            return queue != null && Integer.valueOf(1).equals(queue.get("QUEUE_MESSAGE_COUNT"));
        });
        assertNotHandledBefore(consumer, topic + ":later", due);
        assertHandledAfter(consumer, topic + ":later", due);
    }

    @Test
    void kafkaDueHeaderHoldsTheRecordWithoutHoldingItsPartition() {
        String topic = consumeTopic(BrokerProbe.Kind.KAFKA, unique());
        String consumer = startConsumer(BrokerProbe.Kind.KAFKA, topic);
        Instant due = Instant.now().plus(DELAY);
        // the later events share the delayed one's aggregate, so its partition too
        writer.writeAll(List.of(dueAt(scripted(topic, "agg-1", topic + ":later", Map.of()), due),
                scripted(topic, "agg-1", topic + ":after-1", Map.of()),
                scripted(topic, "agg-1", topic + ":after-2", Map.of()),
                scripted(topic, "agg-2", topic + ":other", Map.of())));

        await("the records behind it handled at once", Duration.ofSeconds(10), () -> effects(consumer) == 3);
        assertThat(count("SELECT count(*) FROM consumer_deferred_events WHERE consumer = ?", consumer))
                .as("held in the database").isEqualTo(1);
        assertNotHandledBefore(consumer, topic + ":later", due);
        assertHandledAfter(consumer, topic + ":later", due);
        await("the held row is gone", Duration.ofSeconds(5), () ->
                count("SELECT count(*) FROM consumer_deferred_events WHERE consumer = ?", consumer) == 0);
    }

    private static OutboxEvent dueAt(OutboxEvent event, Instant due) {
        return new OutboxEvent(event.topic(), event.aggregateId(), event.eventType(), event.payload(), event.dedupeKey(),
                event.schemaVersion(), Map.of(EventHeaders.DUE_AT, due.toString()), null);
    }

    private void assertNotHandledBefore(String consumer, String key, Instant due) {
        while (Instant.now().isBefore(due.minusMillis(300))) {
            assertThat(effects(consumer, key)).as("handled before its time").isZero();
            sleep(100);
        }
    }

    private void assertHandledAfter(String consumer, String key, Instant due) {
        await("handled once due", Duration.ofSeconds(20), () -> effects(consumer, key) == 1);
        Timestamp handledAt = jdbc.queryForObject(
                "SELECT handled_at FROM test_effects WHERE consumer = ? AND dedupe_key = ?", Timestamp.class, consumer, key);
        assertThat(handledAt.toInstant()).as("handled at or after its due time").isAfterOrEqualTo(due);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
