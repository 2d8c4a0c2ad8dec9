package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.outboxrelay.outbox.OutboxWriter;
import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * The relay wakes on the NOTIFY sent when events commit: with a poll interval of ten minutes an event
 * is still published at once. Without LISTEN/NOTIFY the same relay leaves it waiting.
 */
class NotifyWakeTest extends RelayTestSupport {

    private static final Map<String, Object> SLOW_POLL = Map.of("outbox.relay.poll-interval", "10m");

    @BeforeEach
    void onlyTheTestedInstanceRelays() throws Exception {
        camel.getRouteController().stopRoute("outbox-relay");
    }

    @AfterEach
    void resumeTestA() throws Exception {
        camel.getRouteController().startRoute("outbox-relay");
    }

    @Test
    void committedEventWakesTheRelayLongBeforeItsNextPoll() {
        try (RelayInstance instance = RelayInstance.start("notify-" + unique(), SLOW_POLL)) {
            String topic = awaitIdleAndWrite(instance);
            awaitAllPublished(topic, Duration.ofSeconds(10));
        }
    }

    @Test
    void withoutListenNotifyTheSameEventWaitsForThePoll() throws InterruptedException {
        Map<String, Object> settings = new java.util.HashMap<>(SLOW_POLL);
        settings.put("outbox.relay.listen-notify", "false");
        try (RelayInstance instance = RelayInstance.start("no-notify-" + unique(), settings)) {
            String topic = awaitIdleAndWrite(instance);
            Thread.sleep(3000);
            assertThat(unpublished(topic)).isEqualTo(1);
        }
    }

    /** Waits until the instance holds every slot and has polled, so only a wake-up can make it poll again. */
    private String awaitIdleAndWrite(RelayInstance instance) {
        await("instance holds all slots", Duration.ofSeconds(15), () ->
                count("SELECT count(*) FROM relay_slots WHERE owner = ? AND lease_until > now()",
                        instance.bean(RelayClaim.class).owner()) == 64);
        try {
            Thread.sleep(1000); // the wake that followed taking the slots has been used up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String topic = "kafka.notify-" + unique();
        instance.bean(OutboxWriter.class).write(event(topic, topic + "-agg-1", 0));
        return topic;
    }
}
