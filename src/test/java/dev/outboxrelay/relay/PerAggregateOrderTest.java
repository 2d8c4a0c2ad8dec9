package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * Two relay instances drain 10,000 events of 100 aggregates, written while both run: every
 * aggregate's events reach the broker in commit order, none missing, and both instances did part of
 * the work.
 */
class PerAggregateOrderTest extends RelayTestSupport {

    private static final int AGGREGATES = 100;
    private static final int EVENTS_PER_AGGREGATE = 100;

    @Autowired
    private MeterRegistry meters;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void twoInstancesDeliverEveryAggregateInCommitOrder(BrokerProbe.Kind kind) {
        String name = "order-" + unique();
        try (BrokerProbe probe = BrokerProbe.open(kind, name);
             RelayInstance second = RelayInstance.start("test-b-" + name, Map.of())) {
            String topic = probe.topic();
            await("both instances hold slots", Duration.ofSeconds(20), () ->
                    count("SELECT count(DISTINCT owner) FROM relay_slots WHERE lease_until > now()") == 2);

            Map<String, Integer> expected = new LinkedHashMap<>();
            for (int a = 0; a < AGGREGATES; a++) {
                expected.put(name + "-agg-" + a, EVENTS_PER_AGGREGATE);
            }
            // 100 transactions of 100 events each: event n of every aggregate, so the relays see
            // a growing backlog of interleaved aggregates while they drain it.
            for (int n = 0; n < EVENTS_PER_AGGREGATE; n++) {
                List<OutboxEvent> round = new ArrayList<>(AGGREGATES);
                for (String aggregate : expected.keySet()) {
                    round.add(event(topic, aggregate, n));
                }
                writer.writeAll(round);
            }

            awaitAllPublished(topic, Duration.ofSeconds(120));
            DeliveryOrder order = DeliveryOrder.read(probe, expected, Duration.ofSeconds(60));

            // duplicates are allowed (a confirm that times out on a loaded machine is sent again)
            assertThat(order.missing).as("missing events: %s", order).isEmpty();
            assertThat(order.outOfOrder).as("out of order: %s", order).isEmpty();
            assertThat(publishedBy(meters, topic)).as("published by test-a").isPositive();
            assertThat(publishedBy(second.bean(MeterRegistry.class), topic)).as("published by test-b").isPositive();
        }
    }

    private static double publishedBy(MeterRegistry registry, String topic) {
        return registry.find("outbox.relay.published").tag("topic", topic).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }
}
