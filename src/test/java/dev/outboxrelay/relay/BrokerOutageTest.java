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
import dev.outboxrelay.support.RelayTestSupport;
import dev.outboxrelay.support.TcpProxy;

/**
 * The broker becomes unreachable (its connection is cut at the TCP level): its circuit breaker opens
 * and the relay stops claiming its topics, which wait in the outbox without churning through attempts
 * or being parked, while another broker's events keep flowing; once the broker is back a half-open
 * probe closes the circuit and everything is delivered in order.
 */
class BrokerOutageTest extends RelayTestSupport {

    @Autowired
    private RelayCircuits circuits;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private RelayClaim claim;

    private static final int AGGREGATES = 10;
    private static final int EVENTS_PER_AGGREGATE = 20;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void eventsWaitWhileTheBrokerIsDownOthersKeepFlowingAndAllArriveAfterwards(BrokerProbe.Kind kind) throws Exception {
        String name = "outage-" + unique();
        TcpProxy link = switch (kind.broker()) {
            case KAFKA -> servers().kafka().proxy();
            case SQS -> servers().sqs().proxy();
            case RABBITMQ -> servers().rabbit().proxy();
        };
        try (BrokerProbe probe = BrokerProbe.open(kind, name)) {
            String topic = probe.topic();
            link.cut();
            Map<String, Integer> expected = new LinkedHashMap<>();
            for (int a = 0; a < AGGREGATES; a++) {
                expected.put(name + "-agg-" + a, EVENTS_PER_AGGREGATE);
            }
            for (int n = 0; n < EVENTS_PER_AGGREGATE; n++) {
                List<OutboxEvent> round = new ArrayList<>();
                for (String aggregate : expected.keySet()) {
                    round.add(event(topic, aggregate, n));
                }
                writer.writeAll(round);
            }

            await("circuit breaker for " + kind.broker().configName() + " open", Duration.ofSeconds(60),
                    () -> circuits.isOpen(kind.broker()));
            assertThat(claim.pausedTopics()).as("the claim leaves the broker's topics alone").contains(topic);
            BrokerProbe.Kind other = kind == BrokerProbe.Kind.KAFKA ? BrokerProbe.Kind.RABBITMQ : BrokerProbe.Kind.KAFKA;
            try (BrokerProbe elsewhere = BrokerProbe.open(other, name + "-other")) {
                writer.write(event(elsewhere.topic(), name + "-other-agg", 0));
                awaitAllPublished(elsewhere.topic(), Duration.ofSeconds(30));
            }
            assertThat(meters.get("outbox.relay.circuit.state").tag("broker", kind.broker().configName()).gauge().value())
                    .as("circuit state metric").isIn(1.0, 2.0);
            assertThat(published(topic)).isZero();
            assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ? AND parked_at IS NOT NULL", topic))
                    .isZero();
            String error = jdbc.queryForObject(
                    "SELECT last_error FROM outbox_events WHERE topic = ? AND attempts > 0 LIMIT 1", String.class, topic);
            assertThat(error).isNotBlank();

            link.restore();
            awaitAllPublished(topic, Duration.ofSeconds(60));
            DeliveryOrder order = DeliveryOrder.read(probe, expected, Duration.ofSeconds(30));
            assertThat(order.missing).as("%s", order).isEmpty();
            assertThat(order.outOfOrder).as("%s", order).isEmpty();
        } finally {
            link.restore();
        }
    }
}
