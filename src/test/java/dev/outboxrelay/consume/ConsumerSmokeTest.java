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

class ConsumerSmokeTest extends ConsumerTestSupport {

    @ParameterizedTest
    @EnumSource(BrokerProbe.Kind.class)
    void eventsFlowFromOutboxToHandler(BrokerProbe.Kind kind) {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(scripted(topic, "agg-" + (i % 3), topic + ":" + i, Map.of()));
        }
        writer.writeAll(events);
        await("handled", Duration.ofSeconds(60), () -> effects(consumer) == 10);
        assertThat(processedKeys(consumer)).isEqualTo(10);
    }
}
