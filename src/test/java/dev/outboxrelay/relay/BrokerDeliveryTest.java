package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.outbox.OutboxWrite;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.Delivered;
import dev.outboxrelay.support.RelayTestSupport;

/** Each broker receives an event with the right key, group, dedupe id and headers, read back by its own client. */
class BrokerDeliveryTest extends RelayTestSupport {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @ParameterizedTest
    @EnumSource(BrokerProbe.Kind.class)
    void eventArrivesWithItsKeyAndMetadata(BrokerProbe.Kind kind) {
        String name = "delivery-" + unique();
        try (BrokerProbe probe = BrokerProbe.open(kind, name)) {
            String aggregate = "order-" + unique();
            String dedupeKey = "checkout:" + UUID.randomUUID();
            OutboxWrite write = writer.write(OutboxEvent.builder(probe.topic())
                    .aggregateId(aggregate)
                    .eventType("OrderPlaced")
                    .payload(Map.of("orderId", aggregate, "total", 42))
                    .dedupeKey(dedupeKey)
                    .schemaVersion(3)
                    .header("traceparent", TRACEPARENT)
                    .header("tenant", "acme")
                    .build());

            List<Delivered> delivered = probe.read(1, Duration.ofSeconds(30));
            Delivered message = delivered.get(0);

            assertThat(message.body()).contains("\"orderId\": \"" + aggregate + "\"").contains("\"total\": 42");
            assertThat(message.headers()).containsEntry("outbox-event-id", write.id().toString());
            assertThat(message.headers()).containsEntry("outbox-event-type", "OrderPlaced");
            assertThat(message.headers()).containsEntry("outbox-dedupe-key", dedupeKey);
            assertThat(message.headers()).containsEntry("outbox-schema-version", "3");
            assertThat(message.headers()).containsEntry("outbox-aggregate-id", aggregate);
            assertThat(message.headers()).containsEntry("outbox-topic", probe.topic());
            // the same trace, continued by the relay's publish span (see RelayTracingTest)
            assertThat(message.header("traceparent")).startsWith(TRACEPARENT.substring(0, 36)).isNotEqualTo(TRACEPARENT);
            switch (kind) {
                case KAFKA -> {
                    assertThat(message.key()).as("record key").isEqualTo(aggregate);
                    assertThat(message.headers()).containsEntry("tenant", "acme");
                    // the record's key and topic override are Camel's business, not the consumer's
                    assertThat(message.headers().keySet()).as("record headers")
                            .noneMatch(header -> header.startsWith("kafka.") || header.regionMatches(true, 0, "camel", 0, 5));
                }
                case SQS_FIFO -> {
                    assertThat(message.key()).as("MessageGroupId").isEqualTo(aggregate);
                    assertThat(message.dedupe()).as("MessageDeduplicationId").isEqualTo(dedupeKey);
                    assertThat(message.headers()).containsEntry("outbox-headers", "{\"tenant\":\"acme\"}");
                }
                case SQS -> assertThat(message.headers()).containsEntry("outbox-headers", "{\"tenant\":\"acme\"}");
                case RABBITMQ -> {
                    assertThat(message.dedupe()).as("message-id").isEqualTo(dedupeKey);
                    assertThat(message.where()).as("routing key").isEqualTo(probe.topic());
                    assertThat(message.headers()).as("persistent").containsEntry("delivery-mode", "2");
                    assertThat(message.headers()).containsEntry("content-type", "application/json");
                    assertThat(message.headers()).containsEntry("type", "OrderPlaced");
                    assertThat(message.headers()).containsEntry("tenant", "acme");
                }
            }
            awaitAllPublished(probe.topic(), Duration.ofSeconds(10));
            assertThat(probe.drain(Duration.ofSeconds(1))).as("sent once").hasSize(1);
        }
    }
}
