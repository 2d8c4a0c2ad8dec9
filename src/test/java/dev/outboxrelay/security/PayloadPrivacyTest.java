package dev.outboxrelay.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.Delivered;

/**
 * The test profile's privacy rule (topics {@code *pii-*}) drops {@code customer.email} and
 * {@code items.note}, masks {@code customer.phone} keeping 4 characters and tokenises {@code customer.id}.
 * Brokers, consumers, dead letters and the logs see only the result; the stored row keeps what was written.
 */
class PayloadPrivacyTest extends ConsumerTestSupport {

    private static final String TOKEN_KEY = "test-privacy-token-key-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private String email;
    private String phone;
    private String customerId;
    private String note;

    @BeforeEach
    void personalData() {
        String u = unique();
        email = "ada-" + u + "@example.com";
        phone = "+44-" + u + "-7700";
        customerId = "customer-" + u;
        note = "leave-it-with-" + u;
        logs.start();
        root().addAppender(logs);
        LoggerFactory.getLogger(PayloadPrivacyTest.class).info("Capturing logs for {}", u);
    }

    @AfterEach
    void stopCapture() {
        root().detachAppender(logs);
        logs.stop();
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "RABBITMQ", "SQS"})
    void personalFieldsAreDroppedMaskedAndTokenisedBeforeTheBrokerSeesThem(BrokerProbe.Kind kind) throws Exception {
        try (BrokerProbe probe = BrokerProbe.open(kind, "pii-" + unique())) {
            String payload = json.writeValueAsString(Map.of(
                    "customer", Map.of("email", email, "phone", phone, "id", customerId, "name", "Ada"),
                    "items", List.of(Map.of("sku", "a-1", "note", note), Map.of("sku", "b-2")),
                    "total", 42));
            writer.write(dev.outboxrelay.outbox.OutboxEvent.builder(probe.topic()).aggregateId(probe.topic() + "-agg")
                    .eventType("OrderPlaced").payload(payload).dedupeKey(probe.topic() + ":1").build());

            List<Delivered> delivered = probe.read(1, WAIT);
            JsonNode body = json.readTree(delivered.get(0).body());
            JsonNode customer = body.get("customer");
            assertThat(customer.has("email")).as("dropped: %s", body).isFalse();
            assertThat(customer.get("phone").asText()).isEqualTo("***7700");
            assertThat(customer.get("id").asText()).isEqualTo(hmac(customerId));
            assertThat(customer.get("name").asText()).as("other fields untouched").isEqualTo("Ada");
            assertThat(body.get("items").get(0).has("note")).as("dropped in every array element").isFalse();
            assertThat(body.get("items").get(0).get("sku").asText()).isEqualTo("a-1");
            assertThat(body.get("total").asInt()).isEqualTo(42);

            assertThat(json.readTree(jdbc.queryForObject("SELECT payload::text FROM outbox_events WHERE topic = ?",
                    String.class, probe.topic())).get("customer").get("email").asText())
                    .as("the database keeps what was written").isEqualTo(email);
        }
        assertNoPersonalDataLogged();
    }

    @Test
    void equalValuesGiveEqualTokensAcrossEvents() throws Exception {
        try (BrokerProbe probe = BrokerProbe.open(BrokerProbe.Kind.KAFKA, "pii-" + unique())) {
            for (int n = 0; n < 2; n++) {
                writer.write(dev.outboxrelay.outbox.OutboxEvent.builder(probe.topic()).aggregateId(probe.topic() + "-agg-" + n)
                        .eventType("Seen").payload(json.writeValueAsString(Map.of("customer", Map.of("id", customerId))))
                        .dedupeKey(probe.topic() + ":" + n).build());
            }
            List<String> tokens = probe.read(2, WAIT).stream()
                    .map(message -> read(message.body()).get("customer").get("id").asText()).toList();
            assertThat(tokens).containsExactly(hmac(customerId), hmac(customerId));
        }
    }

    @Test
    void deadLettersHoldOnlyTheMinimisedPayload() throws Exception {
        BrokerProbe.Kind kind = BrokerProbe.Kind.RABBITMQ;
        String topic = consumeTopic(kind, "pii-" + unique());
        String consumer = startConsumer(kind, topic);
        writer.write(scripted(topic, topic + "-agg", topic + ":refused", Map.of("permanent", true,
                "customer", Map.of("email", email, "phone", phone, "id", customerId))));
        await("dead-lettered", WAIT, () -> deadLetters(consumer) == 1);

        String stored = jdbc.queryForObject("SELECT payload FROM consumer_dead_letters WHERE consumer = ?", String.class,
                consumer);
        assertThat(stored).doesNotContain(email, phone, customerId).contains(hmac(customerId));
        assertNoPersonalDataLogged();
    }

    @Test
    void aPayloadTheRulesCannotReadIsNotSentAndItsErrorNamesOnlyTheTopic() {
        String topic = "kafka.pii-" + unique();
        jdbc.update("INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key) "
                + "VALUES (?, ?, 'Odd', CAST(? AS jsonb), ?)", topic, topic + "-agg", "[\"" + email + "\"]", topic + ":1");
        await("the relay refused it", WAIT, () -> count(
                "SELECT count(*) FROM outbox_events WHERE topic = ? AND last_error IS NOT NULL", topic) == 1);
        String error = jdbc.queryForObject("SELECT last_error FROM outbox_events WHERE topic = ?", String.class, topic);
        assertThat(error).contains("privacy rules of topic '" + topic + "'").doesNotContain(email);
        assertThat(published(topic)).isZero();
        assertNoPersonalDataLogged();
    }

    private void assertNoPersonalDataLogged() {
        String logged = logs.list.stream()
                .map(event -> event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                        : ThrowableProxyUtil.asString(event.getThrowableProxy())))
                .collect(Collectors.joining("\n"));
        assertThat(logged).as("the capture works").contains("Capturing logs for ");
        assertThat(logged).doesNotContain(email, phone, customerId, note);
    }

    private static String hmac(String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TOKEN_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static Logger root() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
