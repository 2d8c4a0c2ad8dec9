package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.completion.WorkCompleted;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.relay.EventHeaders;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.KafkaRecords;

/**
 * The same event delivered twice runs its handler once: a duplicate from the relay, and two consumers
 * racing on one dedupe key, on each broker. The second delivery really reaches the consumer (it is
 * counted as a duplicate), and in the race it really waits on the first one's uncommitted key.
 */
class IdempotentDeliveryTest extends ConsumerTestSupport {

    @Autowired
    AmqpAdmin amqp;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS", "RABBITMQ"})
    void eventSentTwiceByTheRelayIsHandledOnce(BrokerProbe.Kind kind) {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(scripted(topic, "agg-" + i, topic + ":" + i, Map.of()));
        }
        writer.writeAll(events);
        await("first deliveries handled", Duration.ofSeconds(30), () -> effects(consumer) == 5);

        relayAgain(topic + ":2");
        await("second delivery seen", Duration.ofSeconds(30), () -> duplicates(consumer) == 1);

        assertThat(effects(consumer, topic + ":2")).isEqualTo(1);
        assertThat(effects(consumer)).isEqualTo(5);
        assertThat(handler.attempts(consumer, topic + ":2")).as("the handler never ran for the duplicate").isEqualTo(1);
        assertThat(completions.of(topic + ":2")).as("one completion announced, for the handled delivery")
                .singleElement().satisfies(completed -> {
                    assertThat(completed.kind()).isEqualTo(WorkCompleted.EVENT);
                    assertThat(completed.outcome()).isEqualTo(WorkCompleted.SUCCEEDED);
                    assertThat(completed.topic()).isEqualTo(topic);
                });
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"SQS", "RABBITMQ"})
    void twoConsumersRacingOnOneKeyApplyItOnce(BrokerProbe.Kind kind) throws Exception {
        String topic = consumeTopic(kind, unique());
        // two threads of one consumer, one message each at a time: the second copy goes to the idle one
        String consumer = startConsumer(kind, topic, 2, 1);
        String key = topic + ":raced";
        String gate = key;
        writer.write(scripted(topic, "agg-1", key, Map.of("hold", gate)));
        assertThat(handler.awaitArrival(gate, 30)).as("first delivery inside its transaction").isTrue();

        relayAgain(key);
        assertRaceThenRelease(consumer, key, gate);
    }

    @Test
    void twoKafkaConsumersRacingOnOneKeyApplyItOnce() throws Exception {
        String topic = consumeTopic(BrokerProbe.Kind.KAFKA, unique());
        String consumer = startConsumer(BrokerProbe.Kind.KAFKA, topic, 2, 1);
        String key = topic + ":raced";
        try (KafkaRecords kafka = new KafkaRecords()) {
            await("both consumers of the group own partitions", Duration.ofSeconds(30), () -> {
                List<List<Integer>> owned = kafka.assignments(consumer, topic);
                return owned.size() == 2 && owned.stream().noneMatch(List::isEmpty);
            });
            List<List<Integer>> owned = kafka.assignments(consumer, topic);
            Map<String, String> headers = Map.of(EventHeaders.DEDUPE_KEY, key, EventHeaders.TOPIC, topic,
                    EventHeaders.EVENT_TYPE, "TestEvent", EventHeaders.EVENT_ID, key);
            String payload = json.writeValueAsString(Map.of("hold", key));
            kafka.send(topic, owned.get(0).get(0), "agg-1", payload, headers);
            assertThat(handler.awaitArrival(key, 30)).as("first delivery inside its transaction").isTrue();
            // the same event on a partition the other consumer owns, as a producer retry or a replay may do
            kafka.send(topic, owned.get(1).get(0), "agg-1", payload, headers);
            assertRaceThenRelease(consumer, key, key);
        }
    }

    private static String threads() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (stack.length > 0 && (thread.getName().startsWith("pool-") || Arrays.stream(stack)
                    .anyMatch(frame -> frame.getClassName().startsWith("dev.outboxrelay")))) {
                dump.append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(14, stack.length); i++) {
                    dump.append("\n    at ").append(stack[i]);
                }
                dump.append('\n');
            }
        });
        return dump.toString();
    }

    private void assertRaceThenRelease(String consumer, String key, String gate) {
        try {
            await("the second delivery waits on the first one's uncommitted key", Duration.ofSeconds(30), () -> count("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock'
                      AND query LIKE 'INSERT INTO consumer_processed_keys%'""") >= 1);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nsessions: " + jdbc.queryForList("""
                    SELECT pid, state, wait_event_type, wait_event, left(query, 80) AS query FROM pg_stat_activity
                    WHERE datname = current_database()""") + "\nrelay: " + jdbc.queryForList(
                    "SELECT published_at, attempts, last_error, lease_owner FROM outbox_events WHERE dedupe_key = ?", key)
                    + "\nqueue: " + amqp.getQueueProperties("q-" + key.substring(0, key.indexOf(':')))
                    + "\n" + threads(), e);
        }
        assertThat(effects(consumer, key)).as("nothing committed yet").isZero();
        handler.open(gate);
        await("the second delivery counted as a duplicate", Duration.ofSeconds(30), () -> duplicates(consumer) == 1);
        assertThat(effects(consumer, key)).isEqualTo(1);
        assertThat(handler.attempts(consumer, key)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM consumer_processed_keys WHERE consumer = ? AND dedupe_key = ?",
                consumer, key)).isEqualTo(1);
    }
}
