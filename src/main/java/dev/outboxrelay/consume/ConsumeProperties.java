package dev.outboxrelay.consume;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.outboxrelay.routing.Broker;

/**
 * The workers of this instance: which queues and topics it consumes, which handler bean handles which
 * topic and event type, how failures are retried and where dead letters go. Checked at start-up by
 * {@link ConsumerRoutes} and {@link EventHandlers}, naming the setting at fault.
 *
 * @param enabled      whether this instance runs its consumers at all
 * @param consumers    the consumers, one route each
 * @param handlers     topic and event-type patterns mapped to handler beans, first match wins
 * @param redelivery   retries inside the consumer before an event is dead-lettered; per-topic overrides
 * @param deadLetter   the names of the dead-letter destinations
 * @param nonRetryable exception classes that skip redelivery and go straight to the dead-letter
 *                     destination, in addition to {@link PermanentEventException}
 * @param kafkaDeferredPollInterval how often Kafka events held for a later due time are looked for
 */
@ConfigurationProperties("outbox.consume")
@Validated
public record ConsumeProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue List<@Valid Consumer> consumers,
        @DefaultValue List<@Valid HandlerMapping> handlers,
        @DefaultValue @Valid Redelivery redelivery,
        @DefaultValue @Valid DeadLetter deadLetter,
        @DefaultValue List<String> nonRetryable,
        @DefaultValue("1s") @NotNull Duration kafkaDeferredPollInterval) {

    /** How a Kafka batch's records share its database transaction; see {@link Consumer}. */
    public enum KafkaBatchMode {
        WHOLE_BATCH,
        PER_RECORD;

        /** As written in configuration and handed to the route template: {@code whole-batch}, {@code per-record}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One consumer: a route reading one broker source, with its own processed keys.
     *
     * @param name              the consumer's name: route id, the key space of its processed keys, the Kafka
     *                          consumer group and, by default, the RabbitMQ queue
     * @param broker            kafka, sqs or rabbitmq
     * @param topics            Kafka: the topics read; RabbitMQ: the routing keys the queue is bound with
     *                          (patterns such as {@code mail.#})
     * @param queue             SQS: the queue read (required); RabbitMQ: the queue (default: the name)
     * @param exchange          RabbitMQ: the exchange the queue is bound to
     * @param concurrency       threads consuming in parallel: Kafka consumers in the group, SQS pollers,
     *                          RabbitMQ channel consumers
     * @param prefetch          how much one thread takes at a time: Kafka records per batch (default 100),
     *                          SQS messages per poll (default 10), RabbitMQ unacknowledged messages (default 20)
     * @param maxWait           Kafka: how long a partial batch waits for more records before it is processed
     * @param waitTime          SQS: long polling wait (at most 20 s, and shorter than
     *                          {@code outbox.sqs.api-call-timeout}); a stopping consumer may wait this long
     * @param visibilityTimeout SQS: how long a received message stays hidden; must outlast processing with
     *                          all its redeliveries (it is extended while a message is processed)
     * @param autoStartup       false to start the route later, e.g. from JMX
     * @param batchMode         Kafka: {@code whole-batch} handles a batch's records in one transaction
     *                          without a savepoint each and, when one of them fails, rolls the batch back
     *                          and runs every record on its own; {@code per-record} gives each record a
     *                          savepoint from the start, so no handler runs again for another record's failure
     */
    public record Consumer(
            String name,
            Broker broker,
            @DefaultValue List<String> topics,
            String queue,
            String exchange,
            @DefaultValue("1") @Min(1) @Max(64) int concurrency,
            @Min(1) @Max(10000) Integer prefetch,
            @DefaultValue("500ms") Duration maxWait,
            @DefaultValue("5s") Duration waitTime,
            @DefaultValue("60s") Duration visibilityTimeout,
            @DefaultValue("true") boolean autoStartup,
            @DefaultValue("whole-batch") KafkaBatchMode batchMode) {

        public KafkaBatchMode batchModeOrDefault() {
            return batchMode == null ? KafkaBatchMode.WHOLE_BATCH : batchMode;
        }

        /** The RabbitMQ queue or SQS queue this consumer reads. */
        public String queueName() {
            return queue != null && !queue.isBlank() ? queue.strip() : name;
        }

        public int prefetchOrDefault() {
            if (prefetch != null) {
                return prefetch;
            }
            return switch (broker) {
                case KAFKA -> 100;
                case SQS -> 10;
                case RABBITMQ -> 20;
            };
        }
    }

    /**
     * Which handler bean handles an event.
     *
     * @param topic     a topic name or pattern ({@code *} for any run of characters)
     * @param eventType an event type or pattern; {@code *} for all
     * @param bean      the name of a Spring bean implementing {@link EventHandler}
     */
    public record HandlerMapping(String topic, @DefaultValue("*") String eventType, String bean) {
    }

    /**
     * Exponential redelivery inside the consumer: waits of initial-delay, then times multiplier, capped
     * at max-delay, until max-attempts deliveries failed. Keep the waits short: a consumer thread waits
     * them out.
     *
     * @param initialDelay the wait before the second attempt
     * @param multiplier   growth of each further wait
     * @param maxDelay     the longest wait
     * @param maxAttempts  attempts in all (the first included) before the event is dead-lettered
     * @param topics       overrides per topic pattern, first match wins; unset fields keep the defaults
     */
    public record Redelivery(
            @DefaultValue("300ms") @NotNull Duration initialDelay,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("10s") @NotNull Duration maxDelay,
            @DefaultValue("5") @Min(1) @Max(100) int maxAttempts,
            @DefaultValue List<TopicRedelivery> topics) {
    }

    /** A per-topic redelivery override; see {@link Redelivery}. */
    public record TopicRedelivery(String topic, Duration initialDelay, Double multiplier, Duration maxDelay,
                                  Integer maxAttempts) {
    }

    /**
     * Where dead letters go: {@code <topic><kafka-suffix>} on Kafka, {@code <queue><sqs-suffix>} on SQS
     * (the source queue's redrive policy points there too), and the dead-letter exchange on RabbitMQ,
     * routed by the consumer's queue name to {@code <queue><rabbitmq-queue-suffix>}.
     *
     * @param kafkaSuffix         appended to the source topic
     * @param sqsSuffix           appended to the source queue (before {@code .fifo})
     * @param sqsMaxReceiveCount  receives after which SQS itself moves a message to the dead-letter queue
     *                            (for a consumer that dies on it every time)
     * @param rabbitmqExchange    the dead-letter exchange (direct), also the source queues' x-dead-letter-exchange
     * @param rabbitmqQueueSuffix appended to the source queue
     */
    public record DeadLetter(
            @DefaultValue(".dlq") String kafkaSuffix,
            @DefaultValue("-dlq") String sqsSuffix,
            @DefaultValue("10") @Min(1) @Max(1000) int sqsMaxReceiveCount,
            @DefaultValue("outbox.dlx") String rabbitmqExchange,
            @DefaultValue(".dlq") String rabbitmqQueueSuffix) {
    }
}
