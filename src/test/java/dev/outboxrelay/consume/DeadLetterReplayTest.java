package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.TestAccounts;

/**
 * Dead letters are listed, inspected and replayed through the admin HTTP API. A replayed event keeps
 * its dedupe key: handled once when replayed, and replaying it again changes nothing.
 */
class DeadLetterReplayTest extends ConsumerTestSupport {

    @Autowired
    TestRestTemplate anonymous;

    /** The admin API needs the operator role for replays. */
    TestRestTemplate http;

    @BeforeEach
    void signInAsOperator() {
        TestAccounts accounts = servers().accounts();
        http = anonymous.withBasicAuth(accounts.operator(), accounts.operatorPassword());
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void deadLetterReplayedThroughTheApiIsHandledOnceAndAgainChangesNothing(BrokerProbe.Kind kind) throws Exception {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        String key = topic + ":fails-three-times";
        // the test profile allows 3 attempts: dead-lettered, then the replay's attempt succeeds
        writer.write(scripted(topic, "agg-1", key, Map.of("failTimes", 3)));
        await("dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);

        JsonNode listed = get("/admin/dead-letters?topic=" + topic);
        assertThat(listed).hasSize(1);
        JsonNode summary = listed.get(0);
        assertThat(summary.get("dedupeKey").asText()).isEqualTo(key);
        assertThat(summary.get("attempts").asInt()).isEqualTo(3);
        assertThat(summary.get("error").asText()).contains("scripted failure 3");
        assertThat(summary.get("status").asText()).isEqualTo("dead");
        String id = summary.get("id").asText();

        JsonNode inspected = get("/admin/dead-letters/" + id);
        assertThat(json.readTree(inspected.get("payload").asText()).get("failTimes").asInt()).isEqualTo(3);
        assertThat(inspected.get("headers").get("outbox-dedupe-key").asText()).isEqualTo(key);

        ResponseEntity<String> replayed = http.postForEntity("/admin/dead-letters/" + id + "/replay", null, String.class);
        assertThat(replayed.getStatusCode()).isEqualTo(HttpStatus.OK);
        await("handled after the replay", Duration.ofSeconds(30), () -> effects(consumer, key) == 1);
        assertThat(handler.attempts(consumer, key)).isEqualTo(4);
        assertThat(get("/admin/dead-letters/" + id).get("status").asText()).isEqualTo("replayed");
        assertThat(get("/admin/dead-letters?topic=" + topic)).as("no longer waiting").isEmpty();

        http.postForEntity("/admin/dead-letters/" + id + "/replay", null, String.class);
        await("the second replay reached the consumer", Duration.ofSeconds(30), () -> duplicates(consumer) == 1);
        assertThat(effects(consumer, key)).isEqualTo(1);
        assertThat(handler.attempts(consumer, key)).as("the handler did not run again").isEqualTo(4);
        assertThat(get("/admin/dead-letters/" + id).get("replayCount").asInt()).isEqualTo(2);
    }

    @Test
    void filteredReplaySendsBackOnlyTheMatchingDeadLetters() throws Exception {
        BrokerProbe.Kind kind = BrokerProbe.Kind.KAFKA;
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        Instant start = Instant.now();
        writer.writeAll(List.of(
                scripted(topic, "agg-1", topic + ":a", Map.of("failTimes", 3)),
                scripted(topic, "agg-2", topic + ":b", Map.of("failTimes", 3)),
                scripted(topic, "agg-3", topic + ":refused", Map.of("permanent", true))));
        await("all three dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 3);

        assertThat(get("/admin/dead-letters?topic=" + topic + "&error=permanent")).hasSize(1);
        assertThat(get("/admin/dead-letters?topic=" + topic + "&from=" + Instant.now().plusSeconds(60))).isEmpty();

        ResponseEntity<String> response = http.postForEntity("/admin/dead-letters/replay", Map.of(
                "topic", topic, "error", "scripted failure", "from", start.toString(),
                "to", Instant.now().plusSeconds(1).toString()), String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(json.readTree(response.getBody()).get("replayed").asInt()).isEqualTo(2);

        await("both handled", Duration.ofSeconds(30), () -> effects(consumer, topic + ":a") == 1
                && effects(consumer, topic + ":b") == 1);
        JsonNode waiting = get("/admin/dead-letters?topic=" + topic);
        assertThat(waiting).hasSize(1);
        assertThat(waiting.get(0).get("dedupeKey").asText()).isEqualTo(topic + ":refused");
        assertThat(handler.attempts(consumer, topic + ":refused")).isEqualTo(1);
    }

    @Test
    void bulkReplayWithoutAnyConditionIsRefused() {
        ResponseEntity<String> response = http.postForEntity("/admin/dead-letters/replay", Map.of(), String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getBody()).contains("at least one of");
    }

    private JsonNode get(String path) throws Exception {
        ResponseEntity<String> response = http.getForEntity(path, String.class);
        assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.OK);
        return json.readTree(response.getBody());
    }
}
