package dev.outboxrelay.routing;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The routing table: topic patterns mapped to a broker and destination, first match wins, with
 * an optional default for topics no entry matches. Checked at start-up by {@link RoutingTable}.
 *
 * @param routes       the entries, tried in order
 * @param defaultRoute where unmatched topics go; without one (or with an empty broker), writing such
 *                     a topic is refused
 */
@ConfigurationProperties("outbox.routing")
public record RoutingProperties(@DefaultValue List<Entry> routes, Entry defaultRoute) {

    /**
     * One entry of the table.
     *
     * @param topic       a topic name, or a pattern where {@code *} stands for any run of characters
     * @param broker      kafka, sqs or rabbitmq
     * @param destination the Kafka topic, SQS queue or RabbitMQ exchange; {@code {topic}} in it is
     *                    replaced by the event's topic. Defaults to {@code {topic}} for Kafka and SQS
     *                    and to the exchange {@code outbox} for RabbitMQ.
     */
    public record Entry(String topic, Broker broker, String destination) {
    }
}
