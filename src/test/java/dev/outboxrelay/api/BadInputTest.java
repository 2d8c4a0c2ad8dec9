package dev.outboxrelay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.HttpApi;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * What the intake does with bad input: unreadable, mistyped, oversized and unroutable requests are
 * refused with the status and a message naming the problem, and nothing reaches the outbox; SQL- and
 * script-like text is refused where a field has a charset (topic, header names) and elsewhere stored
 * verbatim, bound as a parameter, and handed back unchanged.
 */
class BadInputTest extends RelayTestSupport {

    private static final String SQL = "'; DROP TABLE outbox_events; --";
    private static final String SCRIPT = "<script>alert(document.cookie)</script>";
    private static final int LIMIT = 1024 * 1024;

    @LocalServerPort
    private int port;

    private final ObjectMapper json = new ObjectMapper();
    private HttpApi api;
    private String topic;
    private String aggregate;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        topic = "kafka.bad-input-" + unique();
        aggregate = "agg-" + unique();
    }

    @Test
    void malformedJsonIsRefused400NamingWhereItBroke() {
        HttpApi.Response refused = api.post("/api/events/" + topic,
                "{\"aggregateId\": \"" + aggregate + "\", \"eventType\": \"T\", \"payload\": {\"n\": 1}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").asText()).isEqualTo("invalid");
        assertThat(refused.json().path("message").asText()).startsWith("the request could not be read: ")
                .contains("end-of-input");
        assertNothingWritten();
    }

    @Test
    void aBodyThatIsNotJsonIsRefused415NamingTheContentType() {
        HttpApi.Response refused = api.send("POST", "/api/events/" + topic, "text/plain",
                validEvent().toString().getBytes(StandardCharsets.UTF_8));
        assertThat(refused.status()).isEqualTo(415);
        assertThat(refused.json().path("message").asText()).contains("text/plain").contains("application/json");
        assertNothingWritten();
    }

    @Test
    void aBodyPastTheSizeCapIsRefused413NamingTheCap() throws Exception {
        ObjectNode event = validEvent();
        ((ObjectNode) event.get("payload")).put("filler", "x".repeat(LIMIT));
        byte[] body = event.toString().getBytes(StandardCharsets.UTF_8);

        HttpApi.Response declared = api.send("POST", "/api/events/" + topic, "application/json", body);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.json().path("message").asText())
                .isEqualTo("the request body is larger than outbox.intake.max-body-size (1048576 bytes)");

        // without a Content-Length (chunked) the cap is found while reading
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.uri("/api/events/" + topic))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains("outbox.intake.max-body-size (1048576 bytes)");
        assertNothingWritten();

        ObjectNode fits = validEvent();
        ((ObjectNode) fits.get("payload")).put("filler", "x".repeat(LIMIT - 1000));
        assertThat(api.post("/api/events/" + topic, fits.toString()).status()).as("just under the cap").isEqualTo(202);
    }

    @Test
    void aTopicNoRouteMatchesIsRefused400NamingTheTopic() {
        String unrouted = "nowhere.bad-input-" + unique();
        HttpApi.Response refused = api.post("/api/events/" + unrouted, validEvent().toString());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("field").asText()).isEqualTo("topic");
        assertThat(refused.json().path("message").asText()).contains("'" + unrouted + "'")
                .contains("matches no entry of the routing table");
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", unrouted)).isZero();
        assertNothingWritten();
    }

    @Test
    void sqlAndScriptInATopicOrHeaderNameAreRefused400NamingTheField() {
        for (String hostile : new String[] {"kafka.x' OR '1'='1", "kafka." + "<script>alert(1)", "kafka.x\" --"}) {
            HttpApi.Response refused = api.post("/api/events/" + URLEncoder.encode(hostile, StandardCharsets.UTF_8)
                    .replace("+", "%20"), validEvent().toString());
            assertThat(refused.status()).as(hostile).isEqualTo(400);
            assertThat(refused.json().path("field").asText()).as(hostile).isEqualTo("topic");
            assertThat(refused.json().path("message").asText()).as(hostile).startsWith("topic: may only hold");
        }
        // ';' in a path is refused by the firewall in front of the controllers, before anything is read
        assertThat(api.post("/api/events/" + URLEncoder.encode("kafka.x" + SQL, StandardCharsets.UTF_8), validEvent().toString())
                .status()).isEqualTo(400);
        // the Java writer applies the same rule
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder(SQL).aggregateId(aggregate).eventType("T")
                .payload("{}").dedupeKey(aggregate).build())).hasMessageStartingWith("topic: may only hold");

        for (String hostile : new String[] {SQL, SCRIPT}) {
            ObjectNode event = validEvent();
            event.putObject("headers").put(hostile, "v");
            HttpApi.Response refused = api.post("/api/events/" + topic, event.toString());
            assertThat(refused.status()).as(hostile).isEqualTo(400);
            assertThat(refused.json().path("field").asText()).isEqualTo("headers");
            assertThat(refused.json().path("message").asText()).startsWith("headers: name '" + hostile + "'");
        }
        assertNothingWritten();
    }

    @Test
    void sqlAndScriptInFreeTextFieldsAreStoredVerbatimAndHarmless() {
        String marker = aggregate;
        String hostileAggregate = marker + SQL;
        String hostileType = "Order" + SCRIPT;
        String hostileKey = marker + "\\'); DELETE FROM outbox_events WHERE ('1'='1";
        String hostileHeader = SQL + SCRIPT;
        ObjectNode event = json.createObjectNode()
                .put("aggregateId", hostileAggregate)
                .put("eventType", hostileType)
                .put("dedupeKey", hostileKey);
        event.putObject("payload").put("note", SQL).put("html", SCRIPT).put("quote", "it's \"quoted\" \\ $1 $$ ::jsonb");
        event.putObject("headers").put("comment", hostileHeader);
        int before = count("SELECT count(*) FROM outbox_events");

        HttpApi.Response accepted = api.post("/api/events/" + topic, event.toString());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().path("id").asText();

        assertThat(count("SELECT count(*) FROM outbox_events")).as("the table is there and only grew by one")
                .isEqualTo(before + 1);
        Map<String, Object> row = jdbc.queryForMap("SELECT aggregate_id, event_type, dedupe_key, payload::text AS payload, "
                + "headers->>'comment' AS comment FROM outbox_events WHERE id = ?", UUID.fromString(id));
        assertThat(row.get("aggregate_id")).isEqualTo(hostileAggregate);
        assertThat(row.get("event_type")).isEqualTo(hostileType);
        assertThat(row.get("dedupe_key")).isEqualTo(hostileKey);
        assertThat(row.get("comment")).isEqualTo(hostileHeader);
        assertThat(read((String) row.get("payload"))).isEqualTo(event.get("payload"));

        JsonNode status = api.get("/api/events/" + id).json().path("event");
        assertThat(status.path("aggregateId").asText()).isEqualTo(hostileAggregate);
        assertThat(status.path("eventType").asText()).isEqualTo(hostileType);
        assertThat(status.path("dedupeKey").asText()).isEqualTo(hostileKey);
    }

    private ObjectNode validEvent() {
        ObjectNode event = json.createObjectNode().put("aggregateId", aggregate).put("eventType", "TestEvent");
        event.putObject("payload").put("n", 1);
        return event;
    }

    private void assertNothingWritten() {
        assertThat(count("SELECT count(*) FROM outbox_events WHERE aggregate_id = ? OR topic = ?", aggregate, topic))
                .as("nothing reached the outbox").isZero();
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
