package dev.outboxrelay.relay;

import org.springframework.stereotype.Component;

import dev.outboxrelay.wake.WakeablePollScheduler;

/**
 * Runs the relay's claim as soon as {@link OutboxNotifications} reports newly committed events or a
 * slot was taken, and otherwise every {@code outbox.relay.poll-interval}.
 */
@Component("outboxWakeScheduler")
public class OutboxWakeScheduler extends WakeablePollScheduler {

    public OutboxWakeScheduler(RelayProperties properties) {
        super("outbox-relay-poll", properties.pollInterval());
    }
}
