package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * A relay instance stops in the middle of a batch: its batch reached Kafka, nothing was marked published.
 * The batch's transaction holds the claimed events until it ends; once it has ended (the instance closed,
 * or its session ended by the server after {@code outbox.relay.lease}), another instance publishes them
 * again: duplicates at the broker, no losses, and every aggregate's first deliveries still in commit
 * order.
 */
class RelayCrashTest extends RelayTestSupport {

    private static final int AGGREGATES = 20;
    private static final int EVENTS_PER_AGGREGATE = 100;

    @Test
    void instanceClosedBeforeMarkingLosesNothing() throws Exception {
        relayStoppedBeforeMarking(Map.of(), (topic, doomed) -> {
            assertThat(heldElsewhere(topic)).as("claimed, sent, never marked: held by the open batch").isPositive();
            doomed.close();
            await("the closed instance's batch let go", Duration.ofSeconds(20), () -> heldElsewhere(topic) == 0);
        });
    }

    @Test
    void hungInstanceLetsGoOfItsBatchAfterTheLease() throws Exception {
        relayStoppedBeforeMarking(Map.of("outbox.relay.lease", "2s"), (topic, doomed) -> {
            assertThat(heldElsewhere(topic)).as("claimed, sent, never marked: held by the open batch").isPositive();
            // the instance lives on, its lane stuck before marking; the server ends the silent session
            await("the hung batch let go", Duration.ofSeconds(20), () -> heldElsewhere(topic) == 0);
            assertThat(doomed.camel().getRouteController().getRouteStatus("outbox-relay").isStarted()).isTrue();
            doomed.close();
        });
    }

    @Test
    void slotsOfAnOpenBatchStayWithItsInstanceWhenTheirLeasesRunOut() throws Exception {
        relayStoppedBeforeMarking(Map.of("outbox.relay.lease", "60s"), (topic, doomed) -> {
            int waiting = unpublished(topic);
            // the stuck instance stops renewing its slots; this test's relay, started, would take them
            doomed.camel().getRouteController().stopRoute("relay-slot-leases");
            camel.getRouteController().startRoute("outbox-relay");
            await("the stuck instance's slot leases run out", Duration.ofSeconds(10), () ->
                    count("SELECT count(*) FROM relay_slots WHERE owner = ? AND lease_until > now()",
                            doomed.camel().getRegistry().lookupByNameAndType("relayClaim", RelayClaim.class).owner()) == 0);
            // three of test-a's heartbeats (500 ms apart), each of which would take a free slot
            Thread.sleep(1500);

            // both lanes of the stuck instance hold a batch, so every slot is locked until they end:
            // taking one would let test-a publish an aggregate's later events before the held ones
            assertThat(count("SELECT count(*) FROM relay_slots WHERE owner = 'test-a'")).as("slots taken").isZero();
            assertThat(unpublished(topic)).as("events published meanwhile").isEqualTo(waiting);
            doomed.close();
        });
    }

    /**
     * Starts an instance that takes every slot and stops its lane before the batch is marked published,
     * lets the test do what it checks with it, then has this test's own relay publish everything.
     */
    private void relayStoppedBeforeMarking(Map<String, Object> settings, StoppedBatch check) throws Exception {
        String name = "crash-" + unique();
        CountDownLatch reachedMark = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        camel.getRouteController().stopRoute("outbox-relay");
        try (BrokerProbe probe = BrokerProbe.open(BrokerProbe.Kind.KAFKA, name)) {
            String topic = probe.topic();
            await("test-a gives its slots back", Duration.ofSeconds(10), () ->
                    count("SELECT count(*) FROM relay_slots WHERE owner = 'test-a'") == 0);
            Map<String, Integer> expected = writeEvents(topic);

            Map<String, Object> properties = new HashMap<>(settings);
            properties.put("outbox.relay.enabled", "false");
            RelayInstance doomed = RelayInstance.start("crash-c-" + name, properties);
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
                check.with(topic, doomed);
            } finally {
                never.countDown();
                doomed.close();
            }

            camel.getRouteController().startRoute("outbox-relay");
            awaitAllPublished(topic, Duration.ofSeconds(60));

            DeliveryOrder.read(probe, expected, Duration.ofSeconds(30));
            DeliveryOrder order = DeliveryOrder.check(probe.drain(Duration.ofSeconds(1)), expected);
            assertThat(order.missing).as("%s", order).isEmpty();
            assertThat(order.outOfOrder).as("%s", order).isEmpty();
            assertThat(order.duplicates).as("the stopped instance's batch is sent again").isPositive();
            assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ? AND (attempts > 0 "
                    + "OR parked_at IS NOT NULL)", topic)).isZero();
        } finally {
            never.countDown();
            if (!camel.getRouteController().getRouteStatus("outbox-relay").isStarted()) {
                camel.getRouteController().startRoute("outbox-relay");
            }
        }
    }

    @FunctionalInterface
    private interface StoppedBatch {
        void with(String topic, RelayInstance doomed) throws Exception;
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
