package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.NewJob;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.HttpApi;
import dev.outboxrelay.support.KafkaRecords;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * After a scripted run on all three brokers (events handled, one retried, two dead-lettered, then the
 * consumer stopped with events waiting for it), the Prometheus endpoint shows what the database and the
 * brokers hold: outbox backlog and parked events, consumer lag, handled events, failures, retries,
 * processing percentiles, dead letters waiting, and the job queue's depth.
 */
class PrometheusScrapeTest extends ConsumerTestSupport {

    private static final List<BrokerProbe.Kind> KINDS = List.of(BrokerProbe.Kind.KAFKA, BrokerProbe.Kind.SQS_FIFO,
            BrokerProbe.Kind.RABBITMQ);
    private static final int WAITING_AFTER_STOP = 4;

    @LocalServerPort
    private int port;

    @Autowired
    private MetricsRefresh metrics;

    @Autowired
    private JobQueue jobs;

    @Autowired
    private SqsClient sqs;

    @Autowired
    private AmqpAdmin amqp;

    @Test
    void scrapeAfterAScriptedRunShowsWhatTheDatabaseAndTheBrokersHold() throws Exception {
        Map<BrokerProbe.Kind, String> topics = new LinkedHashMap<>();
        Map<BrokerProbe.Kind, String> names = new LinkedHashMap<>();
        MetricsScrape before = new MetricsScrape(new HttpApi(port).asViewer().get("/actuator/prometheus").body());
        for (BrokerProbe.Kind kind : KINDS) {
            String topic = consumeTopic(kind, "metrics-" + unique());
            topics.put(kind, topic);
            names.put(kind, startConsumer(kind, topic));
        }
        for (BrokerProbe.Kind kind : KINDS) {
            String topic = topics.get(kind);
            List<OutboxEvent> events = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                events.add(scripted(topic, topic + "-ok-" + i, topic + ":ok-" + i, Map.of()));
            }
            events.add(scripted(topic, topic + "-flaky", topic + ":flaky", Map.of("failTimes", 1)));
            events.add(scripted(topic, topic + "-poison", topic + ":poison", Map.of("alwaysFail", true)));
            events.add(scripted(topic, topic + "-refused", topic + ":refused", Map.of("permanent", true)));
            writer.writeAll(events);
        }
        for (BrokerProbe.Kind kind : KINDS) {
            String consumer = names.get(kind);
            await(consumer + " handled four and dead-lettered two", Duration.ofSeconds(40),
                    () -> effects(consumer) == 4 && deadLetters(consumer) == 2);
            awaitAcknowledged(kind, topics.get(kind), consumer);
            camel.getRouteController().stopRoute(consumer);
        }
        for (BrokerProbe.Kind kind : KINDS) {
            String topic = topics.get(kind);
            List<OutboxEvent> waiting = new ArrayList<>();
            for (int i = 0; i < WAITING_AFTER_STOP; i++) {
                waiting.add(scripted(topic, topic + "-late-" + i, topic + ":late-" + i, Map.of()));
            }
            writer.writeAll(waiting);
        }
        topics.values().forEach(topic -> awaitAllPublished(topic, Duration.ofSeconds(30)));

        String held = "kafka.metrics-held-" + unique();
        Instant later = Instant.now().plus(Duration.ofHours(1));
        for (int i = 0; i < 4; i++) {
            writer.write(OutboxEvent.builder(held).aggregateId(held + "-" + i).eventType("TestEvent")
                    .payload("{}").dedupeKey(held + ":" + i).availableAt(later).build());
        }
        jdbc.update("UPDATE outbox_events SET parked_at = now() WHERE topic = ? AND aggregate_id = ?", held, held + "-0");

        String queue = "metrics-" + unique();
        for (int i = 0; i < 3; i++) {
            jobs.enqueue(NewJob.builder(queue).build());
        }
        for (int i = 0; i < 2; i++) {
            jobs.enqueue(NewJob.builder(queue).delay(Duration.ofHours(1)).build());
        }
        jdbc.update("UPDATE job_queue SET run_at = now() - interval '90 seconds' WHERE id = "
                + "(SELECT id FROM job_queue WHERE queue = ? AND run_at <= now() LIMIT 1)", queue);

        metrics.refreshNow();
        MetricsScrape scrape = new MetricsScrape(new HttpApi(port).asViewer().get("/actuator/prometheus").body());

        assertThat(scrape.value("outbox_backlog", "topic=" + held)).as("backlog").isEqualTo(
                count("SELECT count(*) FROM outbox_events WHERE topic = ? AND published_at IS NULL AND parked_at IS NULL",
                        held)).isEqualTo(3);
        assertThat(scrape.value("outbox_parked", "topic=" + held)).as("parked").isEqualTo(
                count("SELECT count(*) FROM outbox_events WHERE topic = ? AND parked_at IS NOT NULL", held)).isEqualTo(1);

        for (BrokerProbe.Kind kind : KINDS) {
            String topic = topics.get(kind);
            String consumer = names.get(kind);
            String broker = "broker=" + kind.broker().configName();
            String of = "consumer=" + consumer;

            assertThat(scrape.sum("outbox_relay_published_total", "topic=" + topic, broker)).as("published to " + topic)
                    .isEqualTo(published(topic)).isEqualTo(10);
            assertThat(scrape.sum("outbox_consumer_lag", of, broker)).as("lag of " + consumer)
                    .isEqualTo(brokerLag(kind, topic, consumer)).isEqualTo(WAITING_AFTER_STOP);

            // the failing events' attempts: the other handlers may also have run in a Kafka whole batch
            // that a failing one rolled back, which is no attempt of theirs
            int attempts = 0;
            int keys = 0;
            for (String key : List.of("flaky", "poison", "refused")) {
                attempts += handler.attempts(consumer, topic + ":" + key);
                keys++;
            }
            int handledOfThem = effects(consumer, topic + ":flaky");
            assertThat(scrape.value("outbox_consumer_events_total", of, broker, "topic=" + topic, "outcome=handled"))
                    .as("handled by " + consumer).isEqualTo(effects(consumer)).isEqualTo(4);
            assertThat(scrape.value("outbox_consumer_failures_total", of, broker, "topic=" + topic))
                    .as("failed attempts of " + consumer).isEqualTo(attempts - handledOfThem).isEqualTo(5);
            assertThat(scrape.value("outbox_consumer_retries_total", of, broker, "topic=" + topic))
                    .as("retries of " + consumer).isEqualTo(attempts - keys).isEqualTo(3);
            assertThat(scrape.value("outbox_consumer_dead_letter_depth", of, broker, "topic=" + topic))
                    .as("dead letters of " + consumer)
                    .isEqualTo(count("SELECT count(*) FROM consumer_dead_letters WHERE consumer = ? AND replayed_at IS NULL",
                            consumer)).isEqualTo(2);
            assertThat(scrape.value("outbox_consumer_dead_letters_total", of, broker, "topic=" + topic)).isEqualTo(2);
            assertThat(scrape.value("outbox_consumer_processing_seconds_count", of, broker, "topic=" + topic))
                    .isEqualTo(4);
            assertThat(scrape.bucketQuantile("outbox_consumer_processing_seconds", 0.95, of, "topic=" + topic))
                    .as("p95 of %s: the flaky event waited out its 200 ms redelivery", consumer)
                    .isGreaterThanOrEqualTo(0.2).isLessThan(Double.POSITIVE_INFINITY);
            assertThat(scrape.bucketQuantileSince(before, "outbox_relay_publish_latency_seconds", 0.95, broker))
                    .as("p95 of the publish latency to %s", kind.broker()).isPositive()
                    .isLessThan(Double.POSITIVE_INFINITY);
        }

        assertThat(scrape.value("outbox_jobs_ready", "queue=" + queue)).as("ready jobs")
                .isEqualTo(count("SELECT count(*) FROM job_queue WHERE queue = ? AND run_at <= now()", queue))
                .isEqualTo(3);
        assertThat(scrape.value("outbox_jobs_scheduled", "queue=" + queue)).isEqualTo(2);
        assertThat(scrape.value("outbox_jobs_oldest_ready_age_seconds", "queue=" + queue)).isBetween(89.0, 150.0);
        for (BrokerProbe.Kind kind : KINDS) {
            assertThat(scrape.value("outbox_relay_circuit_state", "broker=" + kind.broker().configName()))
                    .as("circuit of %s closed", kind.broker()).isZero();
        }
        jdbc.update("DELETE FROM job_queue WHERE queue = ?", queue);
        jdbc.update("DELETE FROM outbox_events WHERE topic = ?", held);
    }

    /** The original messages were acknowledged (committed, deleted, acked), so only new ones count as lag. */
    private void awaitAcknowledged(BrokerProbe.Kind kind, String topic, String consumer) {
        await(consumer + " acknowledged everything", Duration.ofSeconds(20), () -> switch (kind.broker()) {
            case KAFKA -> {
                try (KafkaRecords kafka = new KafkaRecords()) {
                    yield kafka.committed(consumer).values().stream().mapToLong(o -> o == null ? 0 : o).sum() == 6;
                }
            }
            case SQS -> sqsCount(kind, topic, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)
                    + sqsCount(kind, topic, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE) == 0;
            case RABBITMQ -> rabbitReady(topic) == 0;
        });
    }

    /** What the broker itself says is waiting for the consumer. */
    private long brokerLag(BrokerProbe.Kind kind, String topic, String consumer) {
        return switch (kind.broker()) {
            case KAFKA -> {
                try (KafkaRecords kafka = new KafkaRecords()) {
                    yield kafka.records(topic) - kafka.committed(consumer).values().stream()
                            .mapToLong(o -> o == null ? 0 : o).sum();
                }
            }
            case SQS -> sqsCount(kind, topic, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
            case RABBITMQ -> rabbitReady(topic);
        };
    }

    private long sqsCount(BrokerProbe.Kind kind, String topic, QueueAttributeName attribute) {
        String url = sqs.getQueueUrl(request -> request.queueName(destinationOf(kind, topic))).queueUrl();
        return Long.parseLong(sqs.getQueueAttributes(request -> request.queueUrl(url).attributeNames(attribute))
                .attributes().get(attribute));
    }

    private long rabbitReady(String topic) {
        Properties queue = amqp.getQueueProperties("q-" + topic);
        return queue == null ? -1 : ((Number) queue.get(RabbitAdmin.QUEUE_MESSAGE_COUNT)).longValue();
    }
}
