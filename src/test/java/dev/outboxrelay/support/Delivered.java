package dev.outboxrelay.support;

import java.util.Map;

/**
 * One message as a real client of its broker read it back.
 *
 * @param key     Kafka record key; the FIFO MessageGroupId on SQS; null on RabbitMQ
 * @param dedupe  SQS MessageDeduplicationId, RabbitMQ message-id; null on Kafka
 * @param body    the payload
 * @param headers Kafka headers, SQS message attributes, AMQP headers
 * @param where   Kafka partition, or the routing key on RabbitMQ
 */
public record Delivered(String key, String dedupe, String body, Map<String, String> headers, String where) {

    public String header(String name) {
        return headers.get(name);
    }
}
