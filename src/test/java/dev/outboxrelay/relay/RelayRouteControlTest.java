package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * Operators stop and start the relay route while events flow (as they do from JMX or Hawtio): every
 * restart resumes relaying, nothing is lost and every aggregate stays in order.
 */
class RelayRouteControlTest extends RelayTestSupport {

    @Test
    void stoppingAndStartingTheRelayRouteMidStreamLosesNothing() throws Exception {
        String name = "control-" + unique();
        try (BrokerProbe probe = BrokerProbe.open(BrokerProbe.Kind.KAFKA, name)) {
            String topic = probe.topic();
            Map<String, Integer> expected = new LinkedHashMap<>();
            for (int a = 0; a < 10; a++) {
                expected.put(name + "-agg-" + a, 0);
            }
            for (int round = 0; round < 10; round++) {
                List<OutboxEvent> events = new ArrayList<>();
                for (int n = 0; n < 20; n++) {
                    for (Map.Entry<String, Integer> aggregate : expected.entrySet()) {
                        events.add(event(topic, aggregate.getKey(), aggregate.getValue()));
                        aggregate.setValue(aggregate.getValue() + 1);
                    }
                }
                writer.writeAll(events);
                Thread.sleep(20 * round);
                camel.getRouteController().stopRoute("outbox-relay");
                camel.getRouteController().startRoute("outbox-relay");
            }

            awaitAllPublished(topic, Duration.ofSeconds(60));
            DeliveryOrder order = DeliveryOrder.read(probe, expected, Duration.ofSeconds(30));
            assertThat(order.missing).as("%s", order).isEmpty();
            assertThat(order.outOfOrder).as("%s", order).isEmpty();
        } finally {
            if (!camel.getRouteController().getRouteStatus("outbox-relay").isStarted()) {
                camel.getRouteController().startRoute("outbox-relay");
            }
        }
    }
}
