package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * A topic with a publish rate limit (20 per second for kafka.limited-* in the test profile) is
 * published no faster than that, in order, without attempts counted against its events; a topic
 * without a limit is not held up by it.
 */
class TopicRateLimitTest extends RelayTestSupport {

    private static final int EVENTS = 100;

    @Autowired
    private MeterRegistry meters;

    @Test
    void limitedTopicIsPublishedAtItsRateInOrderWhileOthersFlow() {
        String name = unique();
        try (BrokerProbe limited = BrokerProbe.open(BrokerProbe.Kind.KAFKA, "limited-" + name);
             BrokerProbe free = BrokerProbe.open(BrokerProbe.Kind.KAFKA, "free-" + name)) {
            Map<String, Integer> expected = new LinkedHashMap<>();
            List<OutboxEvent> events = new ArrayList<>();
            for (int n = 0; n < EVENTS / 10; n++) {
                for (int a = 0; a < 10; a++) {
                    String aggregate = limited.topic() + "-agg-" + a;
                    expected.merge(aggregate, 1, Integer::sum);
                    events.add(event(limited.topic(), aggregate, n));
                    events.add(event(free.topic(), free.topic() + "-agg-" + a, n));
                }
            }
            Instant written = Instant.now();
            writer.writeAll(events);

            awaitAllPublished(free.topic(), Duration.ofSeconds(30));
            assertThat(unpublished(limited.topic())).as("the limited topic is still being paced").isPositive();
            awaitAllPublished(limited.topic(), Duration.ofSeconds(60));

            Map<String, Object> spread = jdbc.queryForMap(
                    "SELECT max(published_at) AS last, max(attempts) AS attempts FROM outbox_events WHERE topic = ?",
                    limited.topic());
            // 100 events at 20 a second, the first second's 20 at once: the last one's token comes 4 s after
            // the first token was taken, which was after the write. Measured from the write, not from the
            // first published_at: that one also holds the first send's wait for the new topic's metadata.
            Duration took = Duration.between(written, ((Timestamp) spread.get("last")).toInstant());
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(3900));
            assertThat(spread.get("attempts")).as("waiting for the limit is not an attempt").isEqualTo(0);
            assertThat(meters.get("outbox.relay.deferred").tag("topic", limited.topic()).counter().count()).isPositive();

            DeliveryOrder order = DeliveryOrder.read(limited, expected, Duration.ofSeconds(30));
            assertThat(order.missing).as("%s", order).isEmpty();
            assertThat(order.outOfOrder).as("%s", order).isEmpty();
        }
    }
}
