package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.completion.WorkCompleted;
import dev.outboxrelay.consume.ConsumeProperties.KafkaBatchMode;
import dev.outboxrelay.relay.EventHeaders;
import dev.outboxrelay.routing.Broker;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.KafkaRecords;

/**
 * The records of a Kafka batch share one database transaction. In batch mode whole-batch (the default)
 * they are handled in it without a savepoint each, however many they are; when one fails, the batch rolls
 * back and every record runs again on its own. In mode per-record each has a savepoint: a record that
 * fails rolls back its own work alone, and the work before it commits once. In both, nothing of the batch
 * is visible, reported or committed to Kafka before that transaction commits, and a crash of the
 * transaction loses the whole batch's work, which is read again and applied once. The processed keys'
 * {@code processed_at} is the start of the transaction that recorded them, so equal timestamps mean one
 * transaction.
 */
class KafkaBatchTransactionTest extends ConsumerTestSupport {

    @Test
    void wholeBatchIsHandledInOneTransactionBeyondTheSavepointLimitAndReportedAfterItsCommit() throws Exception {
        String topic = "kafka.consume-whole-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 120; i++) {
                send(kafka, topic, key(topic, i), i == 100 ? Map.of("hold", topic) : Map.of());
            }
            String consumer = start(topic, 500, KafkaBatchMode.WHOLE_BATCH);
            assertThat(handler.awaitArrival(topic, 30)).as("the batch is in flight").isTrue();

            assertThat(handler.attempts(consumer, key(topic, 99))).as("earlier records ran").isEqualTo(1);
            assertNothingCommittedYet(kafka, topic, consumer);
            handler.open(topic);

            await("offsets committed past the batch", Duration.ofSeconds(30), () ->
                    Long.valueOf(120L).equals(kafka.committed(consumer).get(new TopicPartition(topic, 0))));
            assertThat(effects(consumer)).isEqualTo(120);
            for (int i = 0; i < 120; i++) {
                assertThat(handler.attempts(consumer, key(topic, i))).as("attempts of record %d", i).isEqualTo(1);
                assertThat(completions.of(key(topic, i))).as("completions of record %d", i).hasSize(1);
            }
            assertThat(jdbc.queryForList("SELECT DISTINCT processed_at FROM consumer_processed_keys WHERE consumer = ?",
                    Timestamp.class, consumer)).as("one transaction for more records than one with savepoints holds")
                    .hasSize(1);
        }
    }

    @Test
    void recordFailingInAWholeBatchRollsItBackAndEveryRecordRunsAgainOnItsOwnAndCommitsOnce() throws Exception {
        String topic = "kafka.consume-whole-fail-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 10; i++) {
                // record 6 writes its effect, then fails once: the batch's rollback must take that write back
                send(kafka, topic, key(topic, i), i == 6 ? Map.of("failAfterWrite", 1) : Map.of());
            }
            String consumer = start(topic, 50, KafkaBatchMode.WHOLE_BATCH);

            await("offsets committed past the batch", Duration.ofSeconds(30), () ->
                    Long.valueOf(10L).equals(kafka.committed(consumer).get(new TopicPartition(topic, 0))));
            for (int i = 0; i < 10; i++) {
                assertThat(effects(consumer, key(topic, i))).as("effects of record %d", i).isEqualTo(1);
                assertThat(handler.attempts(consumer, key(topic, i))).as("attempts of record %d", i)
                        .isEqualTo(i <= 6 ? 2 : 1);
                assertThat(completions.of(key(topic, i))).as("completions of record %d", i).singleElement()
                        .satisfies(completed -> assertThat(completed.outcome()).isEqualTo(WorkCompleted.SUCCEEDED));
            }
            assertThat(processedKeys(consumer)).isEqualTo(10);
            assertThat(deadLetters(consumer)).isZero();
            assertThat(duplicates(consumer)).as("the rolled-back keys were not left behind").isZero();
        }
    }

    @Test
    void recordFailingInTheMiddleOfABatchRollsBackOnlyItselfAndTheRestCommitsOnceAfterTheBatch() throws Exception {
        String topic = "kafka.consume-batch-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 10; i++) {
                Map<String, Object> script = switch (i) {
                    case 3 -> Map.of("hold", topic);
                    // writes its effect, then fails once: the savepoint must take that write back
                    case 6 -> Map.of("failAfterWrite", 1);
                    default -> Map.of();
                };
                send(kafka, topic, key(topic, i), script);
            }
            String consumer = start(topic, 50, KafkaBatchMode.PER_RECORD);
            assertThat(handler.awaitArrival(topic, 30)).as("the batch is in flight").isTrue();

            assertThat(handler.attempts(consumer, key(topic, 0))).as("earlier records ran").isEqualTo(1);
            assertNothingCommittedYet(kafka, topic, consumer);
            handler.open(topic);

            await("the whole batch handled", Duration.ofSeconds(30), () -> effects(consumer) == 10);
            await("offsets committed past the batch", Duration.ofSeconds(20), () ->
                    Long.valueOf(10L).equals(kafka.committed(consumer).get(new TopicPartition(topic, 0))));
            for (int i = 0; i < 10; i++) {
                assertThat(effects(consumer, key(topic, i))).as("effects of record %d", i).isEqualTo(1);
                assertThat(handler.attempts(consumer, key(topic, i))).as("attempts of record %d", i)
                        .isEqualTo(i == 6 ? 2 : 1);
                assertThat(completions.of(key(topic, i))).as("completions of record %d", i).singleElement()
                        .satisfies(completed -> assertThat(completed.outcome()).isEqualTo(WorkCompleted.SUCCEEDED));
            }
            assertThat(deadLetters(consumer)).isZero();

            // records 0-5 committed together when record 6 failed, record 6 alone on its redelivery, 7-9 together
            List<Timestamp> transactions = IntStream.range(0, 10)
                    .mapToObj(i -> jdbc.queryForObject("""
                            SELECT processed_at FROM consumer_processed_keys WHERE consumer = ? AND dedupe_key = ?""",
                            Timestamp.class, consumer, key(topic, i)))
                    .toList();
            assertThat(Set.copyOf(transactions.subList(0, 6))).as("one transaction for records 0-5").hasSize(1);
            assertThat(Set.copyOf(transactions.subList(7, 10))).as("one transaction for records 7-9").hasSize(1);
            assertThat(Set.of(transactions.get(0), transactions.get(6), transactions.get(7)))
                    .as("three transactions in all").hasSize(3);
        }
    }

    @ParameterizedTest
    @EnumSource(KafkaBatchMode.class)
    void batchTransactionKilledMidBatchLosesTheWholeBatchWhichIsReadAgainAndAppliedOnce(KafkaBatchMode mode)
            throws Exception {
        String topic = "kafka.consume-batch-crash-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 6; i++) {
                send(kafka, topic, key(topic, i), i == 3 ? Map.of("hold", topic) : Map.of());
            }
            String consumer = start(topic, 50, mode);
            assertThat(handler.awaitArrival(topic, 30)).as("the batch is in flight").isTrue();

            // records 0-3 have written their keys and effects in the batch transaction: kill its backend
            assertThat(killHeldHandlerTransaction()).isEqualTo(1);
            handler.open(topic);

            await("the batch read again and handled", Duration.ofSeconds(30), () -> effects(consumer) == 6);
            await("offsets committed past the batch", Duration.ofSeconds(20), () ->
                    Long.valueOf(6L).equals(kafka.committed(consumer).get(new TopicPartition(topic, 0))));
            for (int i = 0; i < 6; i++) {
                assertThat(effects(consumer, key(topic, i))).as("effects of record %d", i).isEqualTo(1);
                assertThat(completions.of(key(topic, i))).as("completions of record %d", i).hasSize(1);
            }
            assertThat(handler.attempts(consumer, key(topic, 0))).as("ran in the lost batch and again").isEqualTo(2);
            assertThat(handler.attempts(consumer, key(topic, 3))).as("the record in flight, and again").isEqualTo(2);
            // per record, record 4 waits behind the lost records; in a whole batch it is the next handler,
            // and the first statement on the killed connection fails in it: its first attempt
            assertThat(handler.attempts(consumer, key(topic, 4))).as("record 4")
                    .isEqualTo(mode == KafkaBatchMode.PER_RECORD ? 1 : 2);
            assertThat(processedKeys(consumer)).isEqualTo(6);
            assertThat(deadLetters(consumer)).as("a lost transaction is no reason to dead-letter").isZero();
        }
    }

    @Test
    void dedupeKeyRepeatedInsideOneBatchIsHandledOnce() throws Exception {
        String topic = "kafka.consume-batch-dup-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 5; i++) {
                send(kafka, topic, key(topic, i), Map.of());
            }
            send(kafka, topic, key(topic, 2), Map.of());
            String consumer = start(topic, 50, KafkaBatchMode.WHOLE_BATCH);

            await("offsets committed past the batch", Duration.ofSeconds(30), () ->
                    Long.valueOf(6L).equals(kafka.committed(consumer).get(new TopicPartition(topic, 0))));
            assertThat(effects(consumer)).isEqualTo(5);
            assertThat(effects(consumer, key(topic, 2))).isEqualTo(1);
            assertThat(handler.attempts(consumer, key(topic, 2))).isEqualTo(1);
            assertThat(duplicates(consumer)).isEqualTo(1);
            assertThat(completions.of(key(topic, 2))).hasSize(1);
            assertThat(jdbc.queryForList("SELECT DISTINCT processed_at FROM consumer_processed_keys WHERE consumer = ?",
                    Timestamp.class, consumer)).as("one transaction").hasSize(1);
        }
    }

    @Test
    void perRecordBatchLargerThanOneTransactionMayHoldIsCommittedInSeveral() throws Exception {
        String topic = "kafka.consume-batch-large-" + unique();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 120; i++) {
                send(kafka, topic, key(topic, i), Map.of());
            }
            String name = start(topic, 500, KafkaBatchMode.PER_RECORD);

            await("offsets committed past the batch", Duration.ofSeconds(30), () ->
                    Long.valueOf(120L).equals(kafka.committed(name).get(new TopicPartition(topic, 0))));
            assertThat(effects(name)).isEqualTo(120);
            List<Integer> perTransaction = jdbc.queryForList("""
                    SELECT count(*) FROM consumer_processed_keys WHERE consumer = ? GROUP BY processed_at""",
                    Integer.class, name);
            assertThat(perTransaction).as("records per transaction")
                    .allSatisfy(records -> assertThat(records).isLessThanOrEqualTo(KafkaBatches.MAX_RECORDS_PER_TRANSACTION))
                    .contains(KafkaBatches.MAX_RECORDS_PER_TRANSACTION);
        }
    }

    /** While the batch's handler is held: no effect, processed key, completion or offset of it is visible. */
    private void assertNothingCommittedYet(KafkaRecords kafka, String topic, String consumer) throws Exception {
        assertThat(effects(consumer)).as("nothing of the batch is visible before its commit").isZero();
        assertThat(processedKeys(consumer)).isZero();
        assertThat(completions.of(key(topic, 0))).as("nothing reported before the commit").isEmpty();
        assertThat(kafka.committed(consumer).get(new TopicPartition(topic, 0))).as("no offset yet").isNull();
    }

    private static String key(String topic, int i) {
        return topic + ":" + i;
    }

    private String start(String topic, int prefetch, KafkaBatchMode mode) {
        String name = "c-" + topic;
        startConsumer(new ConsumeProperties.Consumer(name, Broker.KAFKA, List.of(topic), null, null, 1, prefetch,
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(20), true, mode));
        return name;
    }

    private void send(KafkaRecords kafka, String topic, String key, Map<String, Object> script) throws Exception {
        kafka.send(topic, 0, "agg-1", json.writeValueAsString(script), Map.of(
                EventHeaders.DEDUPE_KEY, key, EventHeaders.EVENT_ID, key, EventHeaders.TOPIC, topic,
                EventHeaders.EVENT_TYPE, "TestEvent"));
    }
}
