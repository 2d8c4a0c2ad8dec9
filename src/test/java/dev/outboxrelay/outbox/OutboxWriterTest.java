package dev.outboxrelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.support.RelayTestSupport;

/** The writer joins the caller's transaction, dedupes by key, and refuses bad events before writing anything. */
class OutboxWriterTest extends RelayTestSupport {

    @Autowired
    private TransactionTemplate transactions;

    @Test
    void rollbackOfTheCallersTransactionLeavesNoEvent() {
        String topic = "kafka.writer-" + unique();
        jdbc.execute("CREATE TABLE IF NOT EXISTS writer_test_orders (id text PRIMARY KEY)");
        String orderId = "order-" + unique();

        assertThatThrownBy(() -> transactions.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO writer_test_orders (id) VALUES (?)", orderId);
            writer.write(event(topic, orderId, 0));
            throw new IllegalStateException("payment declined");
        })).hasMessage("payment declined");

        assertThat(count("SELECT count(*) FROM writer_test_orders WHERE id = ?", orderId)).isZero();
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic)).isZero();
    }

    @Test
    void commitOfTheCallersTransactionStoresDomainRowAndEventTogether() {
        String topic = "kafka.writer-" + unique();
        jdbc.execute("CREATE TABLE IF NOT EXISTS writer_test_orders (id text PRIMARY KEY)");
        String orderId = "order-" + unique();

        transactions.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO writer_test_orders (id) VALUES (?)", orderId);
            writer.write(event(topic, orderId, 0));
        });

        assertThat(count("SELECT count(*) FROM writer_test_orders WHERE id = ?", orderId)).isOne();
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic)).isOne();
    }

    @Test
    void repeatedDedupeKeyIsANoOpThatAnswersTheFirstEventsId() {
        String topic = "kafka.writer-" + unique();
        OutboxEvent first = event(topic, "agg-1", 0);
        OutboxEvent again = OutboxEvent.builder(topic).aggregateId("agg-1").eventType("Other")
                .payload("{\"different\":true}").dedupeKey(first.dedupeKey()).build();

        OutboxWrite one = writer.write(first);
        OutboxWrite two = writer.write(again);
        List<OutboxWrite> inOneCall = writer.writeAll(List.of(event(topic, "agg-2", 0), event(topic, "agg-2", 0)));

        assertThat(one.created()).isTrue();
        assertThat(two.created()).isFalse();
        assertThat(two.id()).isEqualTo(one.id());
        assertThat(inOneCall.get(0).created()).isTrue();
        assertThat(inOneCall.get(1).created()).isFalse();
        assertThat(inOneCall.get(1).id()).isEqualTo(inOneCall.get(0).id());
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic)).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT event_type FROM outbox_events WHERE id = ?", String.class, one.id()))
                .isEqualTo("TestEvent");
    }

    @Test
    void oneInvalidEventWritesNoneOfTheBatchAndNamesTheField() {
        String topic = "kafka.writer-" + unique();
        OutboxEvent bad = OutboxEvent.builder(topic).aggregateId("agg-1").eventType("T")
                .payload("[1, 2]").dedupeKey("k-" + unique()).build();

        assertThatThrownBy(() -> writer.writeAll(List.of(event(topic, "agg-1", 0), bad)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("events[1].payload: must be a JSON object");
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic)).isZero();
    }

    @Test
    void invalidFieldsAreRefusedWithTheFieldAndRule() {
        String topic = "kafka.writer-" + unique();
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder("no spaces allowed").aggregateId("a")
                .eventType("T").payload("{}").dedupeKey("k").build()))
                .hasMessageStartingWith("topic: may only hold");
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder("unrouted.topic").aggregateId("a")
                .eventType("T").payload("{}").dedupeKey("k").build()))
                .hasMessage("topic: 'unrouted.topic' matches no entry of the routing table and there is no default route");
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder(topic).aggregateId(" ")
                .eventType("T").payload("{}").dedupeKey("k").build()))
                .hasMessage("aggregateId: is required");
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder(topic).aggregateId("a")
                .eventType("T").payload("{\"broken\":").dedupeKey("k").build()))
                .hasMessageStartingWith("payload: is not valid JSON");
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder(topic).aggregateId("a")
                .eventType("T").payload("{\"text\":\"a\\u0000b\"}").dedupeKey("k").build()))
                .hasMessageStartingWith("payload: must not contain the NUL character");
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder(topic).aggregateId("a")
                .eventType("T").payload("{}").dedupeKey("x".repeat(513)).build()))
                .hasMessage("dedupeKey: is longer than 512 characters");
        assertThatThrownBy(() -> writer.write(OutboxEvent.builder(topic).aggregateId("a")
                .eventType("T").payload("{}").dedupeKey("k").header("bad header", "v").build()))
                .hasMessageStartingWith("headers: name 'bad header' may only hold");
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic)).isZero();
    }

    /**
     * Without serialising writers per aggregate, a transaction that drew a higher seq could commit
     * first and be published before the earlier one. The second writer must wait for the first.
     */
    @Test
    void secondWriterOfAnAggregateWaitsForTheFirstSoSeqFollowsCommitOrder() throws Exception {
        String topic = "kafka.writer-" + unique();
        CountDownLatch firstWrote = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<OutboxWrite> first = threads.submit(() -> transactions.execute(status -> {
                OutboxWrite write = writer.write(event(topic, "agg-race", 0));
                firstWrote.countDown();
                awaitLatch(releaseFirst);
                return write;
            }));
            assertThat(firstWrote.await(10, TimeUnit.SECONDS)).isTrue();
            Future<OutboxWrite> second = threads.submit(() -> transactions.execute(status ->
                    writer.write(event(topic, "agg-race", 1))));

            await("second writer waiting on the aggregate's lock", java.time.Duration.ofSeconds(10), () ->
                    count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0);
            assertThat(second.isDone()).isFalse();
            releaseFirst.countDown();

            long firstSeq = seqOf(first.get(10, TimeUnit.SECONDS));
            long secondSeq = seqOf(second.get(10, TimeUnit.SECONDS));
            assertThat(firstSeq).isLessThan(secondSeq);
        } finally {
            releaseFirst.countDown();
            threads.shutdownNow();
        }
    }

    private long seqOf(OutboxWrite write) {
        return jdbc.queryForObject("SELECT seq FROM outbox_events WHERE id = ?", Long.class, write.id());
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void delayedEventKeepsItsAvailableTime() {
        String topic = "kafka.writer-" + unique();
        Instant later = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        OutboxWrite write = writer.write(OutboxEvent.builder(topic).aggregateId("a").eventType("Reminder")
                .payload(Map.of("text", "hello")).dedupeKey("k-" + unique()).availableAt(later).build());

        Instant stored = jdbc.queryForObject("SELECT available_at FROM outbox_events WHERE id = ?",
                java.sql.Timestamp.class, write.id()).toInstant();
        assertThat(stored).isEqualTo(later);
    }

    @Test
    void plainSqlProducersGetTheSameOrderingAndDedupe() {
        String topic = "kafka.writer-" + unique();
        String insert = """
                INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                VALUES (?, ?, 'Created', CAST(? AS jsonb), ?)
                ON CONFLICT (dedupe_key) DO NOTHING
                """;
        int first = jdbc.update(insert, topic, "agg-sql", "{\"n\":0}", topic + ":0");
        int second = jdbc.update(insert, topic, "agg-sql", "{\"n\":1}", topic + ":1");
        int repeated = jdbc.update(insert, topic, "agg-sql", "{\"n\":0}", topic + ":0");

        assertThat(List.of(first, second, repeated)).containsExactly(1, 1, 0);
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT seq, slot FROM outbox_events WHERE topic = ? ORDER BY dedupe_key", topic);
        assertThat((Long) rows.get(0).get("seq")).isLessThan((Long) rows.get(1).get("seq"));
        assertThat(rows.get(0).get("slot")).isEqualTo(rows.get(1).get("slot"));
    }
}
