package dev.outboxrelay.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * Retention: each kind of record older than its age is deleted in batches of the configured size,
 * younger ones stay, waiting/parked/leased events and rows held by other transactions are never
 * touched, and with events flowing the outbox stops growing.
 *
 * <p>The exact-count tests stop the service's purge route and run a purge of their own with an age of
 * one day, which only rows these tests backdate can reach (the test database is younger than that).
 */
class RetentionTest extends RelayTestSupport {

    private static final Duration AGE = Duration.ofDays(1);
    private static final int BATCH = 7;

    @Autowired
    private NamedParameterJdbcTemplate namedJdbc;

    @Autowired
    private PlatformTransactionManager transactions;

    @BeforeEach
    void stopServicePurge() throws Exception {
        camel.getRouteController().stopRoute("retention-purge");
    }

    @AfterEach
    void startServicePurge() throws Exception {
        camel.getRouteController().startRoute("retention-purge");
    }

    @ParameterizedTest
    @ValueSource(strings = {"published-events", "processed-keys", "finished-jobs", "failed-jobs",
            "webhook-deliveries", "dead-letters", "completions"})
    void rowsOlderThanTheirAgeAreDeletedInBatchesAndYoungerOnesKept(String kind) {
        String tag = unique();
        AgedRows rows = AgedRows.of(kind, jdbc);
        rows.insert(tag, 17, "2 days");
        rows.insert(tag, 3, "23 hours");
        assertThat(rows.count(tag)).isEqualTo(20);

        Purged purged = only(kind, purge(BATCH).purgeExpired());

        System.out.printf("retention %s: %d rows deleted in %d statements of at most %d; %d kept%n",
                kind, purged.rows(), purged.statements(), BATCH, rows.count(tag));
        assertThat(purged.rows()).isEqualTo(17);
        assertThat(purged.statements()).as("7 + 7 + 3").isEqualTo(3);
        assertThat(rows.count(tag)).as("the rows younger than the age").isEqualTo(3);
    }

    @Test
    void purgedJobRecordsReleaseTheirUniqueKeys() {
        String tag = unique();
        AgedRows finished = AgedRows.of("finished-jobs", jdbc);
        finished.insert(tag, 2, "2 days");
        finished.insert(tag, 1, "1 hour");
        assertThat(count("SELECT count(*) FROM job_unique_keys WHERE queue = ?", "retention-" + tag)).isEqualTo(3);

        purge(BATCH).purgeExpired();

        assertThat(count("SELECT count(*) FROM job_unique_keys WHERE queue = ?", "retention-" + tag))
                .as("only the key of the job still on record").isEqualTo(1);
    }

    @Test
    void waitingParkedAndLeasedEventsStayWhateverTheirAge() {
        String topic = "kafka.retention-" + unique();
        for (int i = 0; i < 9; i++) {
            // due in an hour: the relay leaves them alone while the test looks
            writer.write(OutboxEvent.builder(topic).aggregateId("agg-" + i).eventType("TestEvent")
                    .payload("{\"n\":" + i + "}").dedupeKey(topic + ":" + i)
                    .availableAt(Instant.now().plus(Duration.ofHours(1))).build());
        }
        jdbc.update("UPDATE outbox_events SET created_at = now() - interval '3 days' WHERE topic = ?", topic);
        jdbc.update("""
                UPDATE outbox_events SET parked_at = now() - interval '2 days', attempts = 10
                WHERE topic = ? AND aggregate_id IN ('agg-0', 'agg-1', 'agg-2')""", topic);
        jdbc.update("""
                UPDATE outbox_events SET lease_owner = 'elsewhere', lease_until = now() + interval '1 minute'
                WHERE topic = ? AND aggregate_id IN ('agg-3', 'agg-4', 'agg-5')""", topic);

        Purged purged = only("published-events", purge(BATCH).purgeExpired());

        assertThat(purged.rows()).isZero();
        assertThat(count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic)).isEqualTo(9);
    }

    @Test
    void rowsAnotherTransactionHoldsAreSkippedWithoutWaitingAndPurgedLater() throws Exception {
        String tag = unique();
        AgedRows events = AgedRows.of("published-events", jdbc);
        events.insert(tag, 5, "2 days");
        String topic = events.topic(tag);
        String held = jdbc.queryForObject("SELECT min(dedupe_key) FROM outbox_events WHERE topic = ?", String.class, topic);
        TransactionTemplate transaction = new TransactionTemplate(transactions);
        CompletableFuture<Void> locked = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            jdbc.queryForList("SELECT id FROM outbox_events WHERE dedupe_key = ? FOR UPDATE", held);
            locked.complete(null);
            release.join();
        }));
        locked.get(10, TimeUnit.SECONDS);

        // a purge that waited for the lock would never return while the holder waits for us
        Purged first = CompletableFuture.supplyAsync(() -> only("published-events", purge(BATCH).purgeExpired()))
                .get(30, TimeUnit.SECONDS);
        assertThat(first.rows()).isEqualTo(4);
        assertThat(count("SELECT count(*) FROM outbox_events WHERE dedupe_key = ?", held)).isEqualTo(1);

        release.complete(null);
        holder.get(10, TimeUnit.SECONDS);
        Purged second = only("published-events", purge(BATCH).purgeExpired());
        assertThat(second.rows()).isEqualTo(1);
        assertThat(events.count(tag)).isZero();
    }

    /**
     * Events are written and relayed without a pause while the service's own purge runs every 500 ms.
     * Each second the test ages the topic's published rows past the configured 10 minutes, standing in
     * for time passing; the table then holds about one second of events however many went through.
     */
    @Test
    void publishedEventsStopPilingUpWhileEventsFlow() throws Exception {
        camel.getRouteController().startRoute("retention-purge");
        String topic = "kafka.retention-soak-" + unique();
        // the topic exists and the relay has its metadata before the rounds count
        writer.write(event(topic, "warm-up", 0));
        awaitAllPublished(topic, Duration.ofSeconds(60));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            while (writing.get()) {
                List<OutboxEvent> batch = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    int n = written.get() + i + 1;
                    batch.add(event(topic, "agg-" + (n % 100), n));
                }
                writer.writeAll(batch);
                written.addAndGet(batch.size());
                sleep(50);
            }
        });
        int rounds = 15;
        List<Integer> publishedRows = new ArrayList<>();
        try {
            for (int round = 1; round <= rounds; round++) {
                sleep(1000);
                jdbc.update("""
                        UPDATE outbox_events SET published_at = published_at - interval '1 hour'
                        WHERE topic = ? AND published_at > now() - interval '10 minutes'""", topic);
                int published = published(topic);
                publishedRows.add(published);
                System.out.printf("retention soak round %2d: %6d events written, %5d published rows in the outbox, "
                        + "%5d waiting%n", round, written.get(), published, unpublished(topic));
            }
        } finally {
            writing.set(false);
            producer.get(30, TimeUnit.SECONDS);
        }
        int perRound = written.get() / rounds;
        List<Integer> laterHalf = publishedRows.subList(rounds / 2, rounds);
        int largest = laterHalf.stream().mapToInt(Integer::intValue).max().orElseThrow();
        System.out.printf("retention soak: %d events written (%d a round); published rows in the outbox over "
                + "the later rounds %s, at most %d%n", written.get(), perRound, laterHalf, largest);
        assertThat(written.get()).as("events went through").isGreaterThan(1000);
        // without the purge each later round would hold over half of everything written; bursts of the
        // relay catching up on a busy machine may hold a few rounds
        assertThat(largest).as("the outbox keeps a few rounds of published events, not all of them")
                .isLessThan(written.get() / 3);
    }

    private RetentionPurge purge(int batchSize) {
        RetentionProperties properties = new RetentionProperties(true, Duration.ofSeconds(1), batchSize,
                AGE, AGE, AGE, AGE, AGE, AGE, AGE);
        return new RetentionPurge(namedJdbc, properties, new SimpleMeterRegistry());
    }

    private static Purged only(String kind, List<Purged> results) {
        return results.stream().filter(result -> result.kind().equals(kind)).findFirst().orElseThrow();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
