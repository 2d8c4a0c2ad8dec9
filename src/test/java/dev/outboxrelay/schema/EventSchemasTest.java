package dev.outboxrelay.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outboxrelay.outbox.InvalidEventException;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * Event schemas through the Java API: an invalid event is refused with an exception naming the field
 * and the rule and nothing is written; unknown versions are refused; topics without schemas keep
 * taking any JSON object; consumers can ask which versions are known.
 */
class EventSchemasTest extends RelayTestSupport {

    private static final String TOPIC = "kafka.schema-orders";

    @Autowired
    private EventSchemas schemas;

    @Test
    void invalidEventIsRefusedWithAnExceptionNamingFieldAndRuleAndNothingIsWritten() {
        String aggregate = "order-" + unique();
        OutboxEvent wrongType = order(aggregate, 1, Map.of("orderId", "o-1", "total", "twelve", "currency", "EUR"));

        assertThatThrownBy(() -> writer.write(wrongType))
                .isInstanceOfSatisfying(SchemaViolationException.class, e -> {
                    assertThat(e.field()).isEqualTo("payload.total");
                    assertThat(e.rule()).isEqualTo("type");
                    assertThat(e.topic()).isEqualTo(TOPIC);
                    assertThat(e.version()).isEqualTo(1);
                })
                .hasMessageStartingWith("payload.total: ")
                .hasMessageEndingWith("(rule 'type' of schema kafka.schema-orders v1)");

        OutboxEvent notInEnum = order(aggregate, 1, Map.of("orderId", "o-1", "total", 3, "currency", "GBP"));
        assertThatThrownBy(() -> writer.write(notInEnum))
                .isInstanceOfSatisfying(SchemaViolationException.class, e -> {
                    assertThat(e.field()).isEqualTo("payload.currency");
                    assertThat(e.rule()).isEqualTo("enum");
                });

        OutboxEvent missing = order(aggregate, 1, Map.of("total", 3, "currency", "EUR"));
        assertThatThrownBy(() -> writer.writeAll(List.of(order(aggregate, 1, valid()), missing)))
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageStartingWith("events[1].payload.orderId: is required (rule 'required'");

        assertThat(count("SELECT count(*) FROM outbox_events WHERE aggregate_id = ?", aggregate)).isZero();
    }

    @Test
    void versionWithoutASchemaIsRefusedAndKnownVersionsAreAccepted() {
        String aggregate = "order-" + unique();
        assertThatThrownBy(() -> writer.write(order(aggregate, 3, valid())))
                .isInstanceOf(UnknownSchemaVersionException.class)
                .hasMessage("schemaVersion: version 3 of topic 'kafka.schema-orders' has no schema (known versions: [1, 2])");

        writer.write(order(aggregate, 1, valid()));
        writer.write(OutboxEvent.builder(TOPIC).aggregateId(aggregate).eventType("OrderPlaced")
                .payload(Map.of("orderId", "o-2", "total", 1, "currency", "GBP", "coupon", "X")).schemaVersion(2)
                .dedupeKey(aggregate + ":v2").build());
        assertThat(count("SELECT count(*) FROM outbox_events WHERE aggregate_id = ?", aggregate)).isEqualTo(2);
    }

    @Test
    void topicsWithoutSchemasTakeAnyObjectAndEveryVersion() {
        String topic = "kafka.free-" + unique();
        writer.write(OutboxEvent.builder(topic).aggregateId("a").eventType("T").payload("{\"anything\": [1, 2]}")
                .dedupeKey(topic + ":1").schemaVersion(9).build());
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic)).isOne();
        assertThat(schemas.hasSchemas(topic)).isFalse();
        assertThat(schemas.knows(topic, 9)).isTrue();
    }

    @Test
    void consumersCanAskWhichVersionsAreKnownAndValidateThemselves() {
        assertThat(schemas.knows(TOPIC, 1)).isTrue();
        assertThat(schemas.knows(TOPIC, 2)).isTrue();
        assertThat(schemas.knows(TOPIC, 3)).isFalse();
        assertThat(schemas.versions(TOPIC)).containsExactly(1, 2);
        assertThat(schemas.catalogue()).containsEntry("user.created", List.of(1));
        assertThatThrownBy(() -> schemas.validate(TOPIC, 2, "{\"orderId\": \"\", \"total\": 1, \"currency\": \"EUR\"}"))
                .isInstanceOfSatisfying(SchemaViolationException.class, e -> {
                    assertThat(e.field()).isEqualTo("payload.orderId");
                    assertThat(e.rule()).isEqualTo("minLength");
                });
        assertThatThrownBy(() -> schemas.validate(TOPIC, 1, "{broken"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("payload: is not valid JSON");
    }

    private static Map<String, Object> valid() {
        return Map.of("orderId", "o-1", "total", 12.5, "currency", "EUR");
    }

    private static OutboxEvent order(String aggregate, int version, Map<String, Object> payload) {
        return OutboxEvent.builder(TOPIC).aggregateId(aggregate).eventType("OrderPlaced").payload(payload)
                .schemaVersion(version).dedupeKey(aggregate + ":" + payload.hashCode() + ":" + version).build();
    }
}
