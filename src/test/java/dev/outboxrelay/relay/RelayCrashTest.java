package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * A relay instance dies after its batch reached Kafka but before it marked anything published. Its
 * leases expire and another instance publishes the rest: duplicates at the broker, no losses, and
 * every aggregate's first deliveries still in commit order.
 */
class RelayCrashTest extends RelayTestSupport {

    private static final int AGGREGATES = 20;
    private static final int EVENTS_PER_AGGREGATE = 100;

    @Test
    void instanceClosedBeforeMarkingLosesNothing() throws Exception {
        String name = "crash-" + unique();
        CountDownLatch reachedMark = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        camel.getRouteController().stopRoute("outbox-relay");
        try (BrokerProbe probe = BrokerProbe.open(BrokerProbe.Kind.KAFKA, name)) {
            String topic = probe.topic();
            await("test-a gives its slots back", Duration.ofSeconds(10), () ->
                    count("SELECT count(*) FROM relay_slots WHERE owner = 'test-a'") == 0);
            Map<String, Integer> expected = writeEvents(topic);

            RelayInstance doomed = RelayInstance.start("crash-c-" + name, Map.of("outbox.relay.enabled", "false"));
            try {
                AdviceWith.adviceWith(doomed.camel(), "outbox-relay", route -> route
                        .weaveByToUri("sql:classpath:sql/mark-published.sql*").before()
                        .process(exchange -> {
                            reachedMark.countDown();
                            never.await(60, TimeUnit.SECONDS);
                        }));
                doomed.camel().getRouteController().startRoute("relay-slot-leases");
                doomed.camel().getRouteController().startRoute("outbox-relay");
                assertThat(reachedMark.await(30, TimeUnit.SECONDS)).as("first batch sent").isTrue();
            } finally {
                doomed.close();
            }
            int leasedByTheDead = count("SELECT count(*) FROM outbox_events WHERE topic = ? AND lease_owner = ?",
                    topic, "crash-c-" + name);
            assertThat(leasedByTheDead).as("claimed, sent, never marked").isPositive();

            camel.getRouteController().startRoute("outbox-relay");
            awaitAllPublished(topic, Duration.ofSeconds(60));

            DeliveryOrder.read(probe, expected, Duration.ofSeconds(30));
            DeliveryOrder order = DeliveryOrder.check(probe.drain(Duration.ofSeconds(1)), expected);
            assertThat(order.missing).as("%s", order).isEmpty();
            assertThat(order.outOfOrder).as("%s", order).isEmpty();
            assertThat(order.duplicates).as("the dead instance's batch is sent again").isPositive();
            assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ? AND (lease_owner IS NOT NULL "
                    + "OR parked_at IS NOT NULL)", topic)).isZero();
        } finally {
            never.countDown();
            if (!camel.getRouteController().getRouteStatus("outbox-relay").isStarted()) {
                camel.getRouteController().startRoute("outbox-relay");
            }
        }
    }

    private Map<String, Integer> writeEvents(String topic) {
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (int a = 0; a < AGGREGATES; a++) {
            expected.put(topic + "-agg-" + a, EVENTS_PER_AGGREGATE);
        }
        for (int n = 0; n < EVENTS_PER_AGGREGATE; n++) {
            List<OutboxEvent> round = new ArrayList<>();
            for (String aggregate : expected.keySet()) {
                round.add(event(topic, aggregate, n));
            }
            writer.writeAll(round);
        }
        return expected;
    }
}
