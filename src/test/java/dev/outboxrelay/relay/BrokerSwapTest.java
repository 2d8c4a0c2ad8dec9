package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.outbox.OutboxWriter;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * One topic, moved between brokers by configuration alone: the same writes through the same code
 * arrive, in order, at whichever broker the routing table names.
 */
class BrokerSwapTest extends RelayTestSupport {

    private static final String TOPIC = "payments.captured";

    @BeforeEach
    void onlyTheSwappedInstanceRelays() throws Exception {
        camel.getRouteController().stopRoute("outbox-relay");
    }

    @AfterEach
    void resumeTestA() throws Exception {
        camel.getRouteController().startRoute("outbox-relay");
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void sameTopicIsDeliveredByWhicheverBrokerTheConfigurationNames(BrokerProbe.Kind kind) {
        String run = unique();
        String destination = switch (kind) {
            case KAFKA -> "payments-" + run;
            case SQS_FIFO -> "payments-" + run + ".fifo";
            case RABBITMQ -> "payments-" + run;
            case SQS -> throw new IllegalArgumentException("not swapped in this test");
        };
        Map<String, Object> routing = Map.of(
                "outbox.routing.routes[0].topic", "payments.*",
                "outbox.routing.routes[0].broker", kind.broker().configName(),
                "outbox.routing.routes[0].destination", destination);
        try (BrokerProbe probe = BrokerProbe.forDestination(kind, TOPIC, destination);
             RelayInstance swapped = RelayInstance.start("swap-" + run, routing)) {
            OutboxWriter swappedWriter = swapped.bean(OutboxWriter.class);
            Map<String, Integer> expected = new LinkedHashMap<>();
            List<OutboxEvent> events = new ArrayList<>();
            for (int a = 0; a < 3; a++) {
                String aggregate = "payment-" + run + "-" + a;
                expected.put(aggregate, 5);
                for (int n = 0; n < 5; n++) {
                    events.add(OutboxEvent.builder(TOPIC).aggregateId(aggregate).eventType("PaymentCaptured")
                            .payload(Map.of("aggregate", aggregate, "n", n))
                            .dedupeKey(run + ":" + aggregate + ":" + n).build());
                }
            }
            swappedWriter.writeAll(events);

            DeliveryOrder order = DeliveryOrder.read(probe, expected, Duration.ofSeconds(30));
            assertThat(order.missing).as("%s", order).isEmpty();
            assertThat(order.outOfOrder).as("%s", order).isEmpty();
            await("marked published", Duration.ofSeconds(10), () -> count(
                    "SELECT count(*) FROM outbox_events WHERE dedupe_key LIKE ? AND published_at IS NULL", run + ":%") == 0);
        }
    }
}
