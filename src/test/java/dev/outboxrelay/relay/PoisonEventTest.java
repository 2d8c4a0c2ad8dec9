package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.Delivered;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * An event that can never be published is parked with its error after outbox.relay.max-attempts (3
 * in tests). It holds back the later events of its own aggregate, and only those.
 */
class PoisonEventTest extends RelayTestSupport {

    private static final int HEALTHY_AGGREGATES = 5;
    private static final int EVENTS_PER_AGGREGATE = 10;

    @Test
    void eventTheBrokerRejectsIsParkedAndHoldsBackOnlyItsAggregate() {
        String name = "poison-" + unique();
        // the broker itself refuses records over 2 KiB on this topic; the relay's own check allows 1 MB
        try (BrokerProbe probe = BrokerProbe.kafka(name, Map.of("max.message.bytes", "2048"))) {
            assertPoisonParkedAndOthersFlow(probe, incompressible(8000), "RecordTooLargeException");
        }
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"SQS_FIFO", "RABBITMQ"})
    void eventOverTheBrokersSizeLimitIsParkedBeforeItIsSent(BrokerProbe.Kind kind) {
        try (BrokerProbe probe = BrokerProbe.open(kind, "oversize-" + unique())) {
            // SQS takes 256 KiB; outbox.relay.max-bytes.rabbitmq is 64 KiB in the test profile
            assertPoisonParkedAndOthersFlow(probe, "x".repeat(300_000), "exceeds the " + kind.broker().configName() + " limit");
        }
    }

    @Test
    void eventWhoseTopicNoLongerHasARouteIsParkedWithItsError() {
        String topic = "retired." + unique();
        // written by plain SQL, as a producer in another language would, for a topic the table lost
        jdbc.update("""
                INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                VALUES (?, ?, 'Retired', '{}', ?)""", topic, topic + "-agg-1", topic + ":1");

        await("parked", Duration.ofSeconds(30), () ->
                count("SELECT count(*) FROM outbox_events WHERE topic = ? AND parked_at IS NOT NULL", topic) == 1);
        Map<String, Object> row = jdbc.queryForMap("SELECT attempts, last_error FROM outbox_events WHERE topic = ?", topic);
        assertThat(row.get("attempts")).isEqualTo(3);
        assertThat((String) row.get("last_error")).contains("matches no entry of the routing table");
    }

    /** Random text: the producer compresses batches, and a repeated letter would shrink below the limit. */
    private static String incompressible(int length) {
        byte[] random = new byte[length];
        new java.util.Random(42).nextBytes(random);
        return java.util.Base64.getEncoder().encodeToString(random).substring(0, length);
    }

    private void assertPoisonParkedAndOthersFlow(BrokerProbe probe, String poisonText, String expectedError) {
        String topic = probe.topic();
        String poisoned = topic + "-poisoned";
        List<OutboxEvent> events = new ArrayList<>();
        events.add(OutboxEvent.builder(topic).aggregateId(poisoned).eventType("Huge")
                .payload(Map.of("aggregate", poisoned, "n", 0, "filler", poisonText))
                .dedupeKey(poisoned + ":0").build());
        events.add(event(topic, poisoned, 1));
        for (int n = 0; n < EVENTS_PER_AGGREGATE; n++) {
            for (int a = 0; a < HEALTHY_AGGREGATES; a++) {
                events.add(event(topic, topic + "-healthy-" + a, n));
            }
        }
        writer.writeAll(events);

        try {
            await("poison parked", Duration.ofSeconds(60), () ->
                    count("SELECT count(*) FROM outbox_events WHERE dedupe_key = ? AND parked_at IS NOT NULL",
                            poisoned + ":0") == 1);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + relayState(topic), e);
        }
        awaitHealthyPublished(topic, poisoned);

        Map<String, Object> poison = jdbc.queryForMap(
                "SELECT attempts, last_error, published_at FROM outbox_events WHERE dedupe_key = ?", poisoned + ":0");
        // every failed attempt counts, but only a rejection parks: a slow broker may add timeouts first
        assertThat((Integer) poison.get("attempts")).isGreaterThanOrEqualTo(3);
        assertThat((String) poison.get("last_error")).contains(expectedError);
        assertThat(poison.get("published_at")).isNull();
        Map<String, Object> behind = jdbc.queryForMap(
                "SELECT attempts, parked_at, published_at FROM outbox_events WHERE aggregate_id = ? AND dedupe_key <> ?",
                poisoned, poisoned + ":0");
        assertThat(behind.get("published_at")).as("held behind the poison").isNull();
        assertThat(behind.get("parked_at")).as("held, not parked itself").isNull();
        assertThat(behind.get("attempts")).as("never tried").isEqualTo(0);

        List<Delivered> delivered = probe.read(HEALTHY_AGGREGATES * EVENTS_PER_AGGREGATE, Duration.ofSeconds(30));
        delivered = probe.drain(Duration.ofSeconds(1));
        assertThat(delivered).hasSize(HEALTHY_AGGREGATES * EVENTS_PER_AGGREGATE)
                .noneMatch(message -> message.body().contains(poisoned));
    }

    private void awaitHealthyPublished(String topic, String poisoned) {
        await("healthy aggregates published", Duration.ofSeconds(60), () -> count(
                "SELECT count(*) FROM outbox_events WHERE topic = ? AND aggregate_id <> ? AND published_at IS NULL",
                topic, poisoned) == 0);
    }
}
