package dev.outboxrelay.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;

import dev.outboxrelay.completion.WorkCompleted;
import dev.outboxrelay.jobs.JobHandlers;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.Delivered;
import dev.outboxrelay.support.HttpApi;
import dev.outboxrelay.support.SseClient;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * The HTTP intake end to end over real HTTP: 202 with an id and a Location at once, the event
 * published to Kafka, jobs run, completions pushed to a real SSE client (with reconnection), schema
 * refusals answered 400 naming the field, and the reference application's user flow.
 */
class IntakeApiTest extends RelayTestSupport {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @LocalServerPort
    private int port;

    @Autowired
    private ApplicationEventPublisher events;

    @Autowired
    private JobHandlers handlers;

    @Autowired
    private IntakeBackpressure backpressure;

    private final ObjectMapper json = new ObjectMapper();
    private HttpApi api;

    @BeforeEach
    void intakeIsOpen() {
        api = new HttpApi(port);
        IntakeDoor.awaitOpen(backpressure);
    }

    @Test
    void postedEventIsAccepted202ThenPublishedAndItsHandlingIsPushedOverSse() {
        try (BrokerProbe probe = BrokerProbe.open(BrokerProbe.Kind.KAFKA, "intake-" + unique());
             SseClient browser = SseClient.connect(api.uri("/api/completions?topic=" + probe.topic().replace("intake-", "*")), null)) {
            String topic = probe.topic();
            HttpApi.Response accepted = api.post("/api/events/" + topic, """
                    {"aggregateId": "order-1", "eventType": "OrderPlaced", "payload": {"orderId": "order-1", "total": 12.5}}
                    """, Map.of("Idempotency-Key", "order-placed:" + topic, "traceparent", TRACEPARENT));

            assertThat(accepted.status()).isEqualTo(202);
            String id = accepted.json().path("id").asText();
            assertThat(accepted.header("Location")).isEqualTo("/api/events/" + id);
            assertThat(accepted.json().path("created").asBoolean()).isTrue();
            assertThat(accepted.json().path("completionsUrl").asText()).isEqualTo("/api/completions?id=" + id);

            await("event published", WAIT, () ->
                    "published".equals(api.get("/api/events/" + id).json().path("event").path("status").asText()));
            Delivered delivered = probe.read(1, WAIT).get(0);
            assertThat(delivered.header("outbox-event-id")).isEqualTo(id);
            assertThat(delivered.header("outbox-dedupe-key")).isEqualTo("order-placed:" + topic);
            // the request's trace, continued by the relay's publish span
            assertThat(delivered.header("traceparent")).startsWith(TRACEPARENT.substring(0, 36));
            assertThat(read(delivered.body()).path("orderId").asText()).isEqualTo("order-1");

            // the consumer's part (broker consumers publish this once they handled the event)
            events.publishEvent(new WorkCompleted(WorkCompleted.EVENT, id, topic, "order-placed:" + topic,
                    WorkCompleted.SUCCEEDED, null, Instant.now()));

            SseClient.Event pushed = browser.next(WAIT);
            assertThat(pushed.name()).isEqualTo("completion");
            JsonNode completion = read(pushed.data());
            assertThat(completion.path("id").asText()).isEqualTo(id);
            assertThat(completion.path("kind").asText()).isEqualTo("event");
            assertThat(completion.path("topic").asText()).isEqualTo(topic);
            assertThat(completion.path("outcome").asText()).isEqualTo("succeeded");
            assertThat(pushed.id()).isEqualTo(completion.path("seq").asText());

            JsonNode status = api.get("/api/events/" + id).json();
            assertThat(status.path("completions")).hasSize(1);
            HttpApi.Response again = api.post("/api/events/" + topic, """
                    {"aggregateId": "order-1", "eventType": "OrderPlaced", "payload": {"orderId": "order-1"}}
                    """, Map.of("Idempotency-Key", "order-placed:" + topic));
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().path("id").asText()).isEqualTo(id);
            assertThat(again.json().path("created").asBoolean()).isFalse();
        }
    }

    @Test
    void postedJobIsAccepted202AndItsCompletionReachesTheBrowserAndTheStatus() {
        String queue = "intake-job-" + unique();
        try (JobHandlers.Registration registration = handlers.register(queue, job -> { })) {
            HttpApi.Response accepted = api.post("/api/jobs/" + queue, """
                    {"payload": {"resize": "photo-9"}, "priority": 5, "delay": "PT3S"}
                    """);
            assertThat(accepted.status()).isEqualTo(202);
            String id = accepted.json().path("id").asText();
            assertThat(accepted.header("Location")).isEqualTo("/api/jobs/" + id);
            assertThat(api.get("/api/jobs/" + id).json().path("job").path("state").asText()).isEqualTo("scheduled");

            try (SseClient browser = SseClient.connect(api.uri("/api/completions?id=" + id), null)) {
                JsonNode completion = read(browser.next(WAIT).data());
                assertThat(completion.path("id").asText()).isEqualTo(id);
                assertThat(completion.path("kind").asText()).isEqualTo("job");
                assertThat(completion.path("topic").asText()).isEqualTo(queue);
                assertThat(completion.path("outcome").asText()).isEqualTo("succeeded");
            }
            JsonNode status = api.get("/api/jobs/" + id).json();
            assertThat(status.path("job").path("state").asText()).isEqualTo("succeeded");
            assertThat(status.path("job").path("priority").asInt()).isEqualTo(5);
            assertThat(status.path("completions")).hasSize(1);
        }
        assertThat(api.get("/api/jobs/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.post("/api/jobs/outbox.webhooks", "{}").status()).as("the service's own queues").isEqualTo(400);
    }

    @Test
    void browserReconnectingWithLastEventIdGetsWhatItMissedAndNothingTwice() {
        String queue = "reconnect-" + unique();
        try (JobHandlers.Registration registration = handlers.register(queue, job -> { })) {
            String lastSeen;
            try (SseClient browser = SseClient.connect(api.uri("/api/completions?topic=" + queue), null)) {
                enqueueOverHttp(queue, 1);
                lastSeen = browser.next(WAIT).id();
            }
            // while the browser is away
            List<String> missed = List.of(enqueueOverHttp(queue, 2), enqueueOverHttp(queue, 3));
            await("both finished", WAIT, () -> missed.stream().allMatch(id ->
                    "succeeded".equals(api.get("/api/jobs/" + id).json().path("job").path("state").asText())));
            try (SseClient browser = SseClient.connect(api.uri("/api/completions?topic=" + queue), lastSeen)) {
                String later = enqueueOverHttp(queue, 4);
                List<String> ids = List.of(read(browser.next(WAIT).data()).path("id").asText(),
                        read(browser.next(WAIT).data()).path("id").asText(),
                        read(browser.next(WAIT).data()).path("id").asText());
                assertThat(ids).containsExactly(missed.get(0), missed.get(1), later);
                assertThat(browser.drain(Duration.ofMillis(700))).as("nothing twice").isEmpty();
            }
        }
    }

    @Test
    void streamOpenedAfterCompletionsNobodyWatchedStartsFromNow() {
        String queue = "late-" + unique();
        try (JobHandlers.Registration registration = handlers.register(queue, job -> { })) {
            // no stream is open (the tail reads nothing meanwhile)
            enqueueOverHttp(queue, 1);
            enqueueOverHttp(queue, 2);
            try (SseClient browser = SseClient.connect(api.uri("/api/completions?topic=" + queue), null)) {
                String later = enqueueOverHttp(queue, 3);
                assertThat(read(browser.next(WAIT).data()).path("id").asText()).isEqualTo(later);
                assertThat(browser.drain(Duration.ofMillis(700))).as("nothing from before the stream opened").isEmpty();
            }
        }
    }

    private String enqueueOverHttp(String queue, int n) {
        HttpApi.Response accepted = api.post("/api/jobs/" + queue, "{\"payload\": {\"n\": " + n + "}}");
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().path("id").asText();
        // one at a time, so the completions come in enqueue order
        await("job " + n + " finished", WAIT, () ->
                "succeeded".equals(api.get("/api/jobs/" + id).json().path("job").path("state").asText()));
        return id;
    }

    @Test
    void invalidPayloadIsRefusedWith400NamingTheFieldAndNothingReachesTheOutbox() {
        String topic = "kafka.schema-orders";
        String aggregate = "order-" + unique();
        HttpApi.Response refused = api.post("/api/events/" + topic, """
                {"aggregateId": "%s", "eventType": "OrderPlaced", "schemaVersion": 1,
                 "payload": {"orderId": "o-1", "total": -5, "currency": "EUR"}}
                """.formatted(aggregate));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("field").asText()).isEqualTo("payload.total");
        assertThat(refused.json().path("rule").asText()).isEqualTo("minimum");
        assertThat(refused.json().path("message").asText()).startsWith("payload.total: ");

        HttpApi.Response missing = api.post("/api/events/" + topic, """
                {"aggregateId": "%s", "eventType": "OrderPlaced", "payload": {"orderId": "o-1", "currency": "EUR",
                 "customer": {"email": "not an address"}}}
                """.formatted(aggregate));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("violations").findValuesAsText("field"))
                .contains("payload.total", "payload.customer.email");
        assertThat(missing.json().path("field").asText()).isEqualTo("payload.customer.email");
        assertThat(missing.json().path("rule").asText()).isEqualTo("format");

        HttpApi.Response unknownVersion = api.post("/api/events/" + topic, """
                {"aggregateId": "%s", "eventType": "OrderPlaced", "schemaVersion": 7,
                 "payload": {"orderId": "o-1", "total": 5, "currency": "EUR"}}
                """.formatted(aggregate));
        assertThat(unknownVersion.status()).isEqualTo(400);
        assertThat(unknownVersion.json().path("field").asText()).isEqualTo("schemaVersion");

        HttpApi.Response noAggregate = api.post("/api/events/" + topic, """
                {"eventType": "OrderPlaced", "payload": {"orderId": "o-1", "total": 5, "currency": "EUR"}}
                """);
        assertThat(noAggregate.status()).isEqualTo(400);
        assertThat(noAggregate.json().path("message").asText()).isEqualTo("aggregateId: is required");

        assertThat(count("SELECT count(*) FROM outbox_events WHERE aggregate_id = ?", aggregate)).isZero();

        HttpApi.Response valid = api.post("/api/events/" + topic, """
                {"aggregateId": "%s", "eventType": "OrderPlaced", "schemaVersion": 2,
                 "payload": {"orderId": "o-1", "total": 5, "currency": "GBP", "coupon": "WINTER"}}
                """.formatted(aggregate));
        assertThat(valid.status()).isEqualTo(202);
        assertThat(count("SELECT count(*) FROM outbox_events WHERE aggregate_id = ? AND schema_version = 2", aggregate))
                .isOne();
    }

    @Test
    void creatingAUserWritesTheRowAndItsEventTogetherAndAWorkerSendsTheWelcome() {
        try (BrokerProbe probe = BrokerProbe.forDestination(BrokerProbe.Kind.KAFKA, "user.created", "user.created")) {
            String email = "ada-" + unique() + "@example.com";
            HttpApi.Response accepted = api.post("/api/users", "{\"email\": \"" + email + "\", \"name\": \"Ada\"}");
            assertThat(accepted.status()).isEqualTo(202);
            String id = accepted.json().path("id").asText();
            assertThat(accepted.header("Location")).isEqualTo("/api/users/" + id);
            assertThat(count("SELECT count(*) FROM reference_users WHERE id = CAST(? AS uuid)", id)).isOne();
            assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = 'user.created' AND aggregate_id = ?", id))
                    .isOne();

            await("welcome sent", WAIT, () -> !api.get("/api/users/" + id).json().path("welcomedAt").isNull());
            String welcomeJob = api.get("/api/users/" + id).json().path("welcomeJobId").asText();
            assertThat(api.get("/api/jobs/" + welcomeJob).json().path("job").path("state").asText()).isEqualTo("succeeded");
            await("user.created published", WAIT, () -> count(
                    "SELECT count(*) FROM outbox_events WHERE aggregate_id = ? AND published_at IS NOT NULL", id) == 1);
            assertThat(probe.read(1, WAIT).stream().filter(message -> message.body().contains(email)).toList())
                    .hasSize(1);
        }
    }

    @Test
    void aUserWithAnInvalidEmailIsRefusedAndNothingIsWritten() {
        String email = "not-an-address-" + unique();
        HttpApi.Response refused = api.post("/api/users", "{\"email\": \"" + email + "\", \"name\": \"Bob\"}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("field").asText()).isEqualTo("payload.email");
        assertThat(refused.json().path("rule").asText()).isEqualTo("format");
        assertThat(count("SELECT count(*) FROM reference_users WHERE email = ?", email)).isZero();
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = 'user.created' AND payload->>'email' = ?",
                email)).isZero();
        assertThat(count("SELECT count(*) FROM job_queue WHERE payload->>'email' = ?", email)).isZero();
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
