package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.RelayTestSupport;
import dev.outboxrelay.support.TcpProxy;

/**
 * The broker becomes unreachable (its connection is cut at the TCP level): events wait in the
 * outbox, failed attempts back off in the database and never park, and everything is delivered in
 * order once the broker is back.
 */
class BrokerOutageTest extends RelayTestSupport {

    private static final int AGGREGATES = 10;
    private static final int EVENTS_PER_AGGREGATE = 20;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void eventsWaitWhileTheBrokerIsDownAndAllArriveAfterwards(BrokerProbe.Kind kind) {
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

            // more failed attempts than outbox.relay.max-attempts (3): an unreachable broker never parks
            await("every aggregate's first event retried past max-attempts", Duration.ofSeconds(90), () ->
                    count("SELECT count(*) FROM outbox_events WHERE topic = ? AND attempts > 3", topic) >= AGGREGATES);
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
