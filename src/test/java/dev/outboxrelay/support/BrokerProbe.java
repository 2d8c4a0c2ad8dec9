package dev.outboxrelay.support;

import java.time.Duration;
import java.util.List;

import dev.outboxrelay.routing.Broker;

/**
 * Reads back, with a real client of the broker, what the relay sent for one test topic. Each kind
 * maps a test topic to its destination the way {@code application-test.yaml}'s routing table does.
 */
public interface BrokerProbe extends AutoCloseable {

    /** The kinds of destination the tests route to. */
    enum Kind {
        KAFKA(Broker.KAFKA, "kafka."),
        SQS(Broker.SQS, "sqs."),
        SQS_FIFO(Broker.SQS, "sqsfifo."),
        RABBITMQ(Broker.RABBITMQ, "rabbit.");

        private final Broker broker;
        private final String prefix;

        Kind(Broker broker, String prefix) {
            this.broker = broker;
            this.prefix = prefix;
        }

        public Broker broker() {
            return broker;
        }

        public String topic(String name) {
            return prefix + name;
        }

        /** Whether the destination keeps one aggregate's messages in order. */
        public boolean ordered() {
            return this != SQS;
        }
    }

    /** A Kafka probe whose topic is created with the given topic-level configuration. */
    static BrokerProbe kafka(String name, java.util.Map<String, String> topicConfig) {
        TestServers servers = TestServers.get();
        String topic = Kind.KAFKA.topic(name);
        KafkaProbe.createTopic(servers.kafka(), topic, topicConfig);
        return new KafkaProbe(servers.kafka(), topic, topic);
    }

    /** A probe for a test topic routed by the test profile's routing table. */
    static BrokerProbe open(Kind kind, String name) {
        String topic = kind.topic(name);
        String destination = switch (kind) {
            case KAFKA -> topic;
            case SQS -> topic.replace('.', '-');
            case SQS_FIFO -> topic.replace('.', '-') + ".fifo";
            case RABBITMQ -> "outbox-test";
        };
        return forDestination(kind, topic, destination);
    }

    /**
     * A probe for any topic and destination: the Kafka topic, the SQS queue, or the RabbitMQ exchange
     * (bound with the event topic as routing key).
     */
    static BrokerProbe forDestination(Kind kind, String topic, String destination) {
        TestServers servers = TestServers.get();
        return switch (kind) {
            case KAFKA -> new KafkaProbe(servers.kafka(), topic, destination);
            case SQS, SQS_FIFO -> new SqsProbe(servers.sqs(), topic, destination);
            case RABBITMQ -> new RabbitProbe(servers.rabbit(), topic, destination);
        };
    }

    /** Reads an existing RabbitMQ queue itself, e.g. a dead-letter queue, taking what it holds. */
    static BrokerProbe rabbitQueue(String queue) {
        return new RabbitProbe(TestServers.get().rabbit(), queue);
    }

    /** The outbox topic whose events this probe sees. */
    String topic();

    /** Reads until at least {@code count} messages have arrived in all, or fails after the timeout. */
    List<Delivered> read(int count, Duration timeout);

    /** Everything that arrives within the given time; for checking that nothing (more) came. */
    List<Delivered> drain(Duration quiet);

    @Override
    void close();
}
