package dev.outboxrelay.observe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.outboxrelay.brokers.SqsQueues;
import dev.outboxrelay.consume.ConsumeProperties;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * How many messages wait for a consumer at its broker, per source it reads: for Kafka, per topic, the
 * end offsets minus the group's committed offsets (a partition the group never committed counts from
 * its earliest offset); for SQS, the queue's ApproximateNumberOfMessages (visible, not yet received);
 * for RabbitMQ, the queue's ready messages (a passive declare). Messages a consumer holds right now
 * (received, unacknowledged) are not lag.
 */
@Component
public class ConsumerLag implements DisposableBean {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String kafkaBrokers;
    private final ObjectProvider<SqsClient> sqs;
    private final ObjectProvider<SqsQueues> sqsQueues;
    private final ObjectProvider<AmqpAdmin> rabbit;
    private Admin kafka;

    public ConsumerLag(@Value("${camel.component.kafka.brokers:}") String kafkaBrokers, ObjectProvider<SqsClient> sqs,
                       ObjectProvider<SqsQueues> sqsQueues, ObjectProvider<AmqpAdmin> rabbit) {
        this.kafkaBrokers = kafkaBrokers;
        this.sqs = sqs;
        this.sqsQueues = sqsQueues;
        this.rabbit = rabbit;
    }

    /** The consumer's lag per source (Kafka topic, SQS queue, RabbitMQ queue). */
    public Map<String, Long> of(ConsumeProperties.Consumer consumer) {
        return switch (consumer.broker()) {
            case KAFKA -> kafka(consumer);
            case SQS -> Map.of(consumer.queueName(), sqs(consumer.queueName()));
            case RABBITMQ -> Map.of(consumer.queueName(), rabbit(consumer.queueName()));
        };
    }

    private Map<String, Long> kafka(ConsumeProperties.Consumer consumer) {
        Admin admin = kafkaAdmin();
        Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(consumer.name())
                .partitionsToOffsetAndMetadata());
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(consumer.topics()).topicNameValues().forEach((topic, description) -> {
            TopicDescription found = getOrNull(description);
            if (found != null) {
                found.partitions().forEach(partition -> partitions.add(new TopicPartition(topic, partition.partition())));
            }
        });
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (TopicPartition partition : partitions) {
            latest.put(partition, OffsetSpec.latest());
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                earliest.put(partition, OffsetSpec.earliest());
            }
        }
        Map<TopicPartition, ListOffsetsResultInfo> ends = get(admin.listOffsets(latest).all());
        Map<TopicPartition, ListOffsetsResultInfo> starts = earliest.isEmpty() ? Map.of()
                : get(admin.listOffsets(earliest).all());
        Map<String, Long> lag = new LinkedHashMap<>();
        consumer.topics().forEach(topic -> lag.put(topic, 0L));
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            long from = offset != null ? offset.offset() : starts.get(partition).offset();
            long behind = Math.max(0, ends.get(partition).offset() - from);
            lag.merge(partition.topic(), behind, Long::sum);
        }
        return lag;
    }

    private long sqs(String queue) {
        String url = sqsQueues.getObject().urlOf(queue);
        String visible = sqs.getObject().getQueueAttributes(request -> request.queueUrl(url)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return visible == null ? 0 : Long.parseLong(visible);
    }

    private long rabbit(String queue) {
        Properties properties = rabbit.getObject().getQueueProperties(queue);
        if (properties == null) {
            throw new IllegalStateException("RabbitMQ queue '" + queue + "' does not exist");
        }
        Object ready = properties.get(RabbitAdmin.QUEUE_MESSAGE_COUNT);
        return ready instanceof Number number ? number.longValue() : 0;
    }

    private synchronized Admin kafkaAdmin() {
        if (kafka == null) {
            if (kafkaBrokers.isBlank()) {
                throw new IllegalStateException("camel.component.kafka.brokers is not set");
            }
            Map<String, Object> config = new HashMap<>();
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBrokers);
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "outbox-relay-consumer-lag");
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            kafka = Admin.create(config);
        }
        return kafka;
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading Kafka offsets", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Kafka offsets could not be read: " + cause, cause);
        }
    }

    /** A topic that does not exist (yet) has no lag. */
    private static TopicDescription getOrNull(KafkaFuture<TopicDescription> future) {
        try {
            return get(future);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public synchronized void destroy() {
        if (kafka != null) {
            kafka.close(Duration.ofSeconds(2));
            kafka = null;
        }
    }
}
