package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;

/**
 * One aggregate's events are handled in the order they were written: Kafka partitions and SQS FIFO
 * groups are processed in order, also when an event on the way needs retries.
 */
class ConsumerOrderTest extends ConsumerTestSupport {

    private static final int AGGREGATES = 3;
    private static final int EVENTS = 10;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO"})
    void eachAggregatesEventsAreHandledInWriteOrder(BrokerProbe.Kind kind) {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        for (int n = 0; n < EVENTS; n++) {
            List<OutboxEvent> round = new ArrayList<>();
            for (int a = 0; a < AGGREGATES; a++) {
                // the third event of every aggregate fails once before it succeeds
                round.add(scripted(topic, "agg-" + a, topic + ":" + a + ":" + n,
                        n == 2 ? Map.of("failTimes", 1) : Map.of()));
            }
            writer.writeAll(round);
        }

        await("all handled", Duration.ofSeconds(60), () -> effects(consumer) == AGGREGATES * EVENTS);
        for (int a = 0; a < AGGREGATES; a++) {
            List<String> handled = jdbc.queryForList("""
                    SELECT dedupe_key FROM test_effects WHERE consumer = ? AND dedupe_key LIKE ?
                    ORDER BY handled_at""", String.class, consumer, topic + ":" + a + ":%");
            List<String> written = new ArrayList<>();
            for (int n = 0; n < EVENTS; n++) {
                written.add(topic + ":" + a + ":" + n);
            }
            assertThat(handled).as("aggregate %d", a).containsExactlyElementsOf(written);
        }
    }
}
