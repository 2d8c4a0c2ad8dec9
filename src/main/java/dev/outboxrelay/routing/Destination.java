package dev.outboxrelay.routing;

/**
 * Where one topic's events go: a Kafka topic, an SQS queue (FIFO when its name ends in
 * {@code .fifo}) or a RabbitMQ exchange, whose routing key is then the event's topic.
 */
public record Destination(Broker broker, String name) {

    public boolean isFifoQueue() {
        return broker == Broker.SQS && name.endsWith(".fifo");
    }

    @Override
    public String toString() {
        return broker.configName() + ":" + name;
    }
}
