package dev.outboxrelay.relay;

import org.springframework.stereotype.Component;

import dev.outboxrelay.wake.WakeablePollScheduler;

/**
 * Runs the relay route in {@code outbox.relay.lanes} threads ("lanes"), each as soon as
 * {@link OutboxNotifications} reports newly committed events or a slot was taken, and otherwise every
 * {@code outbox.relay.poll-interval}. Each lane claims only the slots with {@code slot % lanes == lane},
 * so the lanes never share an aggregate, and one lane's claim and settle statements overlap with
 * another lane's wait for broker acknowledgements. Each wake-up is followed by tail polls (see
 * {@link WakeablePollScheduler}): the outbox trigger sends at most one NOTIFY per millisecond, and a
 * writer that committed after the notifying one is found by them.
 */
@Component("outboxWakeScheduler")
public class OutboxWakeScheduler extends WakeablePollScheduler {

    public OutboxWakeScheduler(RelayProperties properties) {
        // tail polls: a writer inside the trigger's notification window sends no NOTIFY of its own
        super("outbox-relay-lane", properties.pollInterval(), properties.lanes(), true);
    }
}
