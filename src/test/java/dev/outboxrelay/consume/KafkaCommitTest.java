package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.outboxrelay.relay.EventHeaders;
import dev.outboxrelay.routing.Broker;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.KafkaRecords;

/**
 * Kafka offsets are committed per partition after the batch, never past a record that was neither
 * handled nor dead-lettered; other partitions go on; after a restart the held record and everything
 * behind it are processed, nothing lost; a graceful stop finishes the batch in flight and commits it.
 */
class KafkaCommitTest extends ConsumerTestSupport {

    @Test
    void offsetsStopAtARecordThatCouldNotBeDeadLetteredAndResumeAfterARestart() throws Exception {
        String topic = "kafka.consume-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 2, Map.of());
            // the broker refuses the dead letter of the big record: it can be neither handled nor dead-lettered
            kafka.createTopic(topic + ".dlq", 1, Map.of("max.message.bytes", "1024"));
            send(kafka, topic, 0, "p0-0", Map.of());
            send(kafka, topic, 0, "p0-1", Map.of("permanent", true, "filler", incompressible(4000)));
            for (int i = 2; i < 6; i++) {
                send(kafka, topic, 0, "p0-" + i, Map.of());
            }
            for (int i = 0; i < 6; i++) {
                send(kafka, topic, 1, "p1-" + i, Map.of());
            }
            String consumer = start(topic);

            await("partition 1 handled, partition 0 up to the held record", Duration.ofSeconds(30), () ->
                    effects(consumer) == 7);
            await("the held record tried again after the seek back", Duration.ofSeconds(30), () ->
                    handler.attempts(consumer, "p0-1") >= 3);
            assertThat(effects(consumer, "p0-2")).as("held behind the failed record").isZero();
            Map<TopicPartition, Long> committed = kafka.committed(consumer);
            assertThat(committed.get(new TopicPartition(topic, 0))).as("committed up to the held record").isEqualTo(1L);
            assertThat(committed.get(new TopicPartition(topic, 1))).isEqualTo(6L);

            consumers.stop(consumer);
            assertThat(kafka.committed(consumer).get(new TopicPartition(topic, 0))).isEqualTo(1L);
            kafka.alterTopic(topic + ".dlq", "max.message.bytes", "1048576");
            start(topic);

            await("the rest of partition 0 handled after the restart", Duration.ofSeconds(30), () ->
                    effects(consumer) == 11);
            await("the held record dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
            await("everything committed", Duration.ofSeconds(30), () ->
                    Long.valueOf(6L).equals(kafka.committed(consumer).get(new TopicPartition(topic, 0))));
            for (int i = 0; i < 6; i++) {
                if (i != 1) {
                    assertThat(effects(consumer, "p0-" + i)).as("p0-" + i).isEqualTo(1);
                }
                assertThat(effects(consumer, "p1-" + i)).as("p1-" + i).isEqualTo(1);
            }
        }
    }

    @Test
    void gracefulStopFinishesTheBatchInFlightAndCommitsIt() throws Exception {
        String topic = "kafka.consume-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 10; i++) {
                send(kafka, topic, 0, "r-" + i, i == 3 ? Map.of("hold", topic) : Map.of());
            }
            String consumer = start(topic);
            assertThat(handler.awaitArrival(topic, 30)).as("the batch is in flight").isTrue();

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                try {
                    consumers.stop(consumer);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(stopping).as("the stop waits for the batch").isNotDone();
            handler.open(topic);
            stopping.get(30, TimeUnit.SECONDS);

            assertThat(effects(consumer)).as("the whole batch finished").isEqualTo(10);
            assertThat(kafka.committed(consumer).get(new TopicPartition(topic, 0))).isEqualTo(10L);
        }
    }

    private String start(String topic) {
        String name = "c-" + topic;
        startConsumer(new ConsumeProperties.Consumer(name, Broker.KAFKA, List.of(topic), null, null, 1, 50,
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(20), true, null));
        return name;
    }

    private void send(KafkaRecords kafka, String topic, int partition, String key, Map<String, Object> script)
            throws Exception {
        kafka.send(topic, partition, "agg-" + partition, json.writeValueAsString(script), Map.of(
                EventHeaders.DEDUPE_KEY, key, EventHeaders.EVENT_ID, key, EventHeaders.TOPIC, topic,
                EventHeaders.EVENT_TYPE, "TestEvent"));
    }

    /** Random text: the producer may compress, and a repeated letter would shrink below the limit. */
    private static String incompressible(int length) {
        byte[] random = new byte[length];
        new Random(7).nextBytes(random);
        return Base64.getEncoder().encodeToString(random).substring(0, length);
    }
}
