package dev.outboxrelay.consume;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outboxrelay.brokers.BrokerPublisher;
import dev.outboxrelay.brokers.RabbitTopology;

/**
 * The RabbitMQ consumer route's steps. The listener container acknowledges a message only after the
 * route finished it (handled, duplicate or dead-lettered); when the route fails, the message is
 * rejected without requeue and RabbitMQ dead-letters it through the queue's dead-letter exchange.
 *
 * <p>A message whose {@code outbox-due-at} lies ahead is published to a delay queue of the consumer's
 * queue with the remaining wait as its TTL, then acknowledged: RabbitMQ dead-letters it back into the
 * queue when it is due.
 */
@Component("rabbitMessages")
public class RabbitMessages {

    /** Exchange property: whether the message is to be processed now. */
    static final String DUE = "outboxDue";
    private static final Logger log = LoggerFactory.getLogger(RabbitMessages.class);

    private final ConsumedEvents events;
    private final RabbitTopology topology;
    private final BrokerPublisher publisher;

    public RabbitMessages(ConsumedEvents events, RabbitTopology topology, BrokerPublisher publisher) {
        this.events = events;
        this.topology = topology;
        this.publisher = publisher;
    }

    public void read(Exchange exchange, String consumer, String queue) {
        ConsumedEvent event = events.fromRabbit(exchange, consumer, queue);
        ConsumedEvents.attach(exchange, event);
        Instant now = Instant.now();
        if (event.isDue(now)) {
            exchange.setProperty(DUE, true);
            return;
        }
        Duration wait = Duration.between(now, event.dueAt());
        String delayQueue = topology.delayQueue(queue, wait);
        publisher.rabbit("", delayQueue, event.dedupeKey(), new LinkedHashMap<>(event.headers()), event.payload(),
                wait.toMillis());
        exchange.setProperty(DUE, false);
        log.debug("{} is due at {}: waits in {}", event, event.dueAt(), delayQueue);
    }
}
