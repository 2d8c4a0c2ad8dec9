package dev.outboxrelay.relay;

import java.util.List;

import dev.outboxrelay.routing.Destination;

/**
 * Events that go to one destination in one broker call: all of a wave's events for a Kafka topic
 * (sent as one pipelined stream), up to ten for an SQS queue (one SendMessageBatch), or one for
 * RabbitMQ (one confirmed publish). The route's content-based router picks the sink by
 * {@link #getBroker()}.
 */
public final class SendUnit {

    /** Exchange property holding the unit while a sink route sends it. */
    public static final String PROPERTY = "outboxSendUnit";

    private final Destination destination;
    private final List<RelayEvent> events;

    SendUnit(Destination destination, List<RelayEvent> events) {
        this.destination = destination;
        this.events = List.copyOf(events);
    }

    /** The broker's configuration name, for the route's choice: kafka, sqs or rabbitmq. */
    public String getBroker() {
        return destination.broker().configName();
    }

    public Destination destination() {
        return destination;
    }

    public List<RelayEvent> events() {
        return events;
    }

    /** Records one failure for every event of the unit that has no outcome yet. */
    public void failRemaining(String reason, boolean rejected) {
        for (RelayEvent event : events) {
            if (event.outcome() == RelayEvent.Outcome.PENDING) {
                event.failed(reason, rejected);
            }
        }
    }

    @Override
    public String toString() {
        return events.size() + " event(s) to " + destination;
    }
}
