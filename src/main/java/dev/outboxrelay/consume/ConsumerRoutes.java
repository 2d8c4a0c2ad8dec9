package dev.outboxrelay.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import dev.outboxrelay.brokers.RabbitTopology;
import dev.outboxrelay.brokers.SqsProperties;
import dev.outboxrelay.brokers.SqsQueues;
import dev.outboxrelay.routing.Broker;

/**
 * Creates one route per configured consumer from the broker's route template ({@code kafka-consumer},
 * {@code sqs-consumer}, {@code rabbitmq-consumer}) once Camel has started, after declaring the queues
 * and dead-letter destinations the consumer needs. Every consumer is checked first: a bad setting stops
 * the service at start-up, naming it. Consumers can also be added and removed at run time.
 *
 * <p>A configured consumer whose broker cannot be reached at start-up (its queue cannot be looked up or
 * declared) is started again in the background with a growing pause, and the other consumers start
 * meanwhile: one broker that is down while the service starts must not leave it without consumers.
 */
@Component
public class ConsumerRoutes implements CamelContextConfiguration, DisposableBean {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Duration SQS_MARGIN = Duration.ofSeconds(10);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ConsumerRoutes.class);

    private final ConsumeProperties properties;
    private final ConsumerRedelivery redelivery;
    private final SqsQueues sqsQueues;
    private final SqsProperties sqsProperties;
    private final RabbitTopology rabbit;
    private final Map<String, ConsumeProperties.Consumer> running = new ConcurrentHashMap<>();
    /** Configured consumers that could not start yet, retried until they do or are stopped. */
    private final Set<String> waitingToStart = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService startRetries = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "outbox-consumer-start-retry");
        thread.setDaemon(true);
        return thread;
    });
    private volatile CamelContext camel;

    public ConsumerRoutes(ConsumeProperties properties, ConsumerRedelivery redelivery, SqsQueues sqsQueues,
                          SqsProperties sqsProperties, RabbitTopology rabbit) {
        this.properties = properties;
        this.redelivery = redelivery;
        this.sqsQueues = sqsQueues;
        this.sqsProperties = sqsProperties;
        this.rabbit = rabbit;
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < properties.consumers().size(); i++) {
            ConsumeProperties.Consumer consumer = properties.consumers().get(i);
            problems.addAll(check("outbox.consume.consumers[" + i + "]", consumer));
            if (consumer.name() != null && !names.add(consumer.name())) {
                problems.add("outbox.consume.consumers[" + i + "].name '" + consumer.name() + "' is used twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid consumers: " + String.join("; ", problems));
        }
    }

    private List<String> check(String name, ConsumeProperties.Consumer consumer) {
        List<String> problems = new ArrayList<>();
        if (consumer.name() == null || !NAME.matcher(consumer.name()).matches()) {
            problems.add(name + ".name is required and may only hold letters, digits, '.', '_' and '-'");
        }
        if (consumer.broker() == null) {
            problems.add(name + ".broker is required (one of " + Broker.configNames() + ")");
            return problems;
        }
        switch (consumer.broker()) {
            case KAFKA -> {
                if (consumer.topics().isEmpty()) {
                    problems.add(name + ".topics is required for a Kafka consumer");
                }
                if (consumer.maxWait() == null || consumer.maxWait().isNegative() || consumer.maxWait().isZero()) {
                    problems.add(name + ".max-wait must be a positive duration");
                }
            }
            case SQS -> {
                if (consumer.queue() == null || consumer.queue().isBlank()) {
                    problems.add(name + ".queue is required for an SQS consumer");
                }
                if (consumer.waitTime() == null || consumer.waitTime().isNegative()
                        || consumer.waitTime().compareTo(Duration.ofSeconds(20)) > 0) {
                    problems.add(name + ".wait-time must be between 0 and 20s");
                } else if (consumer.waitTime().compareTo(sqsProperties.apiCallTimeout()) >= 0) {
                    // a long poll is one SQS call: the client would give up on it before SQS answers
                    problems.add(name + ".wait-time (" + consumer.waitTime() + ") must be shorter than "
                            + "outbox.sqs.api-call-timeout (" + sqsProperties.apiCallTimeout() + ")");
                }
                Duration needed = longestRedelivery().plus(SQS_MARGIN);
                if (consumer.visibilityTimeout() == null || consumer.visibilityTimeout().compareTo(needed) < 0
                        || consumer.visibilityTimeout().compareTo(Duration.ofHours(12)) > 0) {
                    problems.add(name + ".visibility-timeout (" + consumer.visibilityTimeout() + ") must be at least "
                            + needed + " (the longest redelivery sequence of outbox.consume.redelivery plus "
                            + SQS_MARGIN.toSeconds() + " s) and at most 12h");
                }
            }
            case RABBITMQ -> {
                if (!consumer.topics().isEmpty() && (consumer.exchange() == null || consumer.exchange().isBlank())) {
                    problems.add(name + ".exchange is required when topics (binding keys) are given");
                }
            }
        }
        return problems;
    }

    private Duration longestRedelivery() {
        Duration longest = redelivery.policyOf("").totalDelay();
        for (ConsumeProperties.TopicRedelivery rule : properties.redelivery().topics()) {
            if (rule.topic() != null) {
                Duration total = redelivery.policyOf(rule.topic().replace("*", "x")).totalDelay();
                longest = total.compareTo(longest) > 0 ? total : longest;
            }
        }
        return longest;
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        this.camel = camelContext;
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        this.camel = camelContext;
        if (!properties.enabled()) {
            log.info("Consumers are disabled (outbox.consume.enabled=false)");
            return;
        }
        for (ConsumeProperties.Consumer consumer : properties.consumers()) {
            waitingToStart.add(consumer.name());
            startOrRetry(consumer, FIRST_RETRY);
        }
    }

    private void startOrRetry(ConsumeProperties.Consumer consumer, Duration pause) {
        if (!waitingToStart.contains(consumer.name()) || startRetries.isShutdown()) {
            return;
        }
        try {
            start(consumer);
            waitingToStart.remove(consumer.name());
        } catch (RuntimeException e) {
            log.warn("Consumer {} could not start ({}); trying again in {} s", consumer.name(), e.getMessage(),
                    pause.toSeconds());
            Duration next = pause.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : pause.multipliedBy(2);
            startRetries.schedule(() -> startOrRetry(consumer, next), pause.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void destroy() {
        startRetries.shutdownNow();
    }

    /** Declares what the consumer needs and starts its route; the name must be new. */
    public synchronized void start(ConsumeProperties.Consumer consumer) {
        List<String> problems = check("consumer '" + consumer.name() + "'", consumer);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (running.containsKey(consumer.name())) {
            throw new IllegalArgumentException("a consumer named '" + consumer.name() + "' is running already");
        }
        ConsumeProperties.DeadLetter deadLetter = properties.deadLetter();
        TemplatedRouteBuilder route;
        switch (consumer.broker()) {
            case KAFKA -> route = TemplatedRouteBuilder.builder(camel, "kafka-consumer")
                    .parameter("topics", String.join(",", consumer.topics()))
                    .parameter("groupId", consumer.name())
                    .parameter("maxWaitMs", Long.toString(consumer.maxWait().toMillis()))
                    .parameter("batchMode", consumer.batchModeOrDefault().configName());
            case SQS -> {
                String queue = consumer.queueName();
                sqsQueues.prepareConsumerQueue(queue, SqsQueues.deadLetterQueueOf(queue, deadLetter.sqsSuffix()),
                        deadLetter.sqsMaxReceiveCount());
                route = TemplatedRouteBuilder.builder(camel, "sqs-consumer")
                        .parameter("queue", queue)
                        .parameter("waitSeconds", Long.toString(consumer.waitTime().toSeconds()))
                        .parameter("visibilitySeconds", Long.toString(consumer.visibilityTimeout().toSeconds()));
            }
            case RABBITMQ -> {
                String queue = consumer.queueName();
                rabbit.declareConsumerQueue(queue, consumer.exchange(), consumer.topics(), deadLetter.rabbitmqExchange(),
                        queue + deadLetter.rabbitmqQueueSuffix());
                route = TemplatedRouteBuilder.builder(camel, "rabbitmq-consumer").parameter("queue", queue);
            }
            default -> throw new IllegalStateException("unknown broker " + consumer.broker());
        }
        route.routeId(consumer.name())
                .parameter("consumer", consumer.name())
                .parameter("concurrency", Integer.toString(consumer.concurrency()))
                .parameter("prefetch", Integer.toString(consumer.prefetchOrDefault()))
                .parameter("autoStartup", Boolean.toString(consumer.autoStartup()))
                .add();
        running.put(consumer.name(), consumer);
        log.info("Consumer {} started: {} {} with {} thread(s), prefetch {}", consumer.name(),
                consumer.broker().configName(), consumer.broker() == Broker.KAFKA ? consumer.topics() : consumer.queueName(),
                consumer.concurrency(), consumer.prefetchOrDefault());
    }

    /** Stops a consumer gracefully (in-flight work finishes and is acknowledged) and removes its route. */
    public synchronized void stop(String name) throws Exception {
        waitingToStart.remove(name);
        if (running.remove(name) == null) {
            return;
        }
        camel.getRouteController().stopRoute(name);
        camel.removeRoute(name);
    }

    /** The consumers whose routes exist here (started or stopped from JMX), for the metrics. */
    public List<ConsumeProperties.Consumer> consumers() {
        return List.copyOf(running.values());
    }

    /** Names of the Kafka consumers running here, whose deferred events this instance processes. */
    public List<String> kafkaConsumers() {
        return running.values().stream().filter(consumer -> consumer.broker() == Broker.KAFKA)
                .map(ConsumeProperties.Consumer::name).toList();
    }
}
