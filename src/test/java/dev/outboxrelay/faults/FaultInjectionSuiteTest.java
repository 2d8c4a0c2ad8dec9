package dev.outboxrelay.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.outboxrelay.support.KafkaRecords;
import dev.outboxrelay.support.TestServers;

/**
 * Events over many aggregates go through two relay processes and two consumer processes, each a JVM of
 * its own, while the suite SIGKILLs a relay, takes Kafka away for 10 s, makes RabbitMQ and SQS
 * unreachable, restarts PostgreSQL (an embedded server of the suite's own, stopped and started on the
 * same port and data directory) and SIGKILLs a consumer process while it has transactions open.
 * Afterwards no event may be lost, each aggregate's events must have been handled in order at every
 * broker, each handler effect applied once, and nothing left leased.
 *
 * <p>Kafka and SQS events are consumed by both consumer processes as one consumer (a Kafka group of
 * two, two pollers of one FIFO queue); RabbitMQ events by one queue per process, since competing
 * consumers on one RabbitMQ queue do not keep order: each of those two consumers must see every
 * RabbitMQ event once. {@code -Doutbox.faults.soak=true} runs 100,000 events instead of 10,000.
 */
class FaultInjectionSuiteTest {

    private static final boolean SOAK = Boolean.getBoolean("outbox.faults.soak");
    private static final int EVENTS = SOAK ? 100_000 : 10_000;
    private static final int AGGREGATES = SOAK ? 10_000 : 1_000;
    /** How long the events are written for; the faults are spread over this time. */
    private static final Duration WRITING = Duration.ofSeconds(SOAK ? 300 : 60);
    private static final Duration SETTLE = Duration.ofSeconds(SOAK ? 600 : 180);
    private static final Duration START_UP = Duration.ofSeconds(240);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Path folder = Path.of("target", "faults", run);
    private final String kafkaTopic = "kafka.faults-" + run;
    private final String sqsTopic = "sqsfifo.faults-" + run;
    private final String rabbitTopic = "rabbit.faults-" + run;
    private final String kafkaConsumer = "faults-kafka-" + run;
    private final String sqsConsumer = "faults-sqs-" + run;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final Map<String, String> report = new LinkedHashMap<>();
    private RestartablePostgres postgres;

    @Test
    void noEventLostOrReorderedAndEachAppliedOnceThroughRelayKillBrokerOutagesDatabaseRestartAndConsumerCrash()
            throws Exception {
        TestServers servers = TestServers.get();
        try (KafkaRecords kafka = new KafkaRecords()) {
            kafka.createTopic(kafkaTopic, 4, Map.of());
        }
        postgres = RestartablePostgres.start();
        try {
            execute("CREATE SCHEMA faults");
            execute("""
                    CREATE TABLE faults.effects (
                        id bigserial PRIMARY KEY, consumer text NOT NULL, node text NOT NULL,
                        aggregate_id text NOT NULL, n integer NOT NULL, dedupe_key text NOT NULL,
                        handled_at timestamptz NOT NULL DEFAULT clock_timestamp())""");
            // the first start migrates the schema; the others then start side by side
            NodeProcess relay1 = start("relay-1", relaySettings("relay-1"));
            relay1.awaitReady(START_UP);
            NodeProcess relay2 = start("relay-2", relaySettings("relay-2"));
            NodeProcess consumer1 = start("consumer-1", consumerSettings("consumer-1"));
            NodeProcess consumer2 = start("consumer-2", consumerSettings("consumer-2"));
            relay2.awaitReady(START_UP);
            consumer1.awaitReady(START_UP);
            consumer2.awaitReady(START_UP);
            System.out.printf("faults %s: 2 relays and 2 consumers up (pids %d %d %d %d), PostgreSQL on %d%n", run,
                    relay1.pid(), relay2.pid(), consumer1.pid(), consumer2.pid(), postgres.port());

            AtomicInteger written = new AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeEvents(written));
            long start = System.nanoTime();

            at(start, 0.10);
            int batchesAtKill = killHoldingClaims(relay1);
            step("relay-1 SIGKILLed", "holding " + batchesAtKill + " claimed batch(es), " + written.get() + " written so far");

            at(start, 0.20);
            servers.kafka().proxy().cut();
            step("Kafka unreachable", "for 10 s");
            Thread.sleep(10_000);
            servers.kafka().proxy().restore();
            step("Kafka back", "");

            at(start, 0.45);
            servers.rabbit().proxy().cut();
            servers.sqs().proxy().cut();
            step("RabbitMQ and SQS unreachable", "for 8 s");
            Thread.sleep(8_000);
            servers.rabbit().proxy().restore();
            servers.sqs().proxy().restore();
            step("RabbitMQ and SQS back", "");

            at(start, 0.65);
            long down = System.nanoTime();
            postgres.stopServer();
            step("PostgreSQL stopped", "");
            Thread.sleep(3_000);
            postgres.startServer();
            step("PostgreSQL started again", "down " + (System.nanoTime() - down) / 1_000_000 + " ms");
            // as a supervisor would; started earlier it could meet the database restart, and stop at once
            NodeProcess relay1Again = start("relay-1-restarted", relaySettings("relay-1-restarted"));

            at(start, 0.80);
            int open = killWithOpenTransactions(consumer1);
            step("consumer-1 SIGKILLed", "with " + open + " transactions open");
            NodeProcess consumer1Again = start("consumer-1", consumerSettings("consumer-1"));

            writer.get(WRITING.toSeconds() + 120, TimeUnit.SECONDS);
            step("writing done", written.get() + " events");
            relay1Again.awaitReady(START_UP);
            consumer1Again.awaitReady(START_UP);
            awaitSettled(written.get());

            Figures figures = figures();
            report.forEach((what, detail) -> System.out.printf("faults %s: %-28s %s%n", run, what, detail));
            figures.print(run);
            assertThat(written.get()).isEqualTo(EVENTS);
            assertThat(open).as("consumer-1 died inside transactions").isPositive();
            assertThat(figures.lost()).as("events lost").isZero();
            assertThat(figures.outOfOrder()).as("events handled out of their aggregate's order").isZero();
            assertThat(figures.appliedTwice()).as("effects applied more than once").isZero();
            assertThat(figures.unpublished()).as("events not published").isZero();
            assertThat(figures.leased()).as("rows left leased").isZero();
            assertThat(figures.deadLetters()).as("events dead-lettered").isZero();
        } finally {
            for (NodeProcess node : nodes) {
                node.close();
            }
            servers.kafka().proxy().restore();
            servers.rabbit().proxy().restore();
            servers.sqs().proxy().restore();
            postgres.close();
        }
    }

    private Map<String, Object> common(String node) {
        Map<String, Object> settings = new LinkedHashMap<>(TestServers.get().properties());
        settings.put("spring.datasource.url", postgres.jdbcUrl() + "?ApplicationName=" + node);
        settings.put("spring.datasource.username", "postgres");
        settings.put("spring.datasource.password", "");
        settings.put("spring.datasource.hikari.connection-timeout", "10000");
        settings.put("outbox.relay.instance-id", node);
        settings.put("camel.main.name", "outbox-relay-" + node);
        settings.put("spring.application.name", "outbox-relay-" + node);
        settings.put("management.tracing.sampling.probability", "0.0");
        settings.put("management.otlp.tracing.export.enabled", "false");
        settings.put("outbox.retention.enabled", "false");
        return settings;
    }

    private Map<String, Object> relaySettings(String node) {
        Map<String, Object> settings = common(node);
        settings.put("outbox.consume.enabled", "false");
        return settings;
    }

    private Map<String, Object> consumerSettings(String node) {
        Map<String, Object> settings = common(node);
        settings.put("outbox.relay.enabled", "false");
        // the production default: JVMs starting side by side can keep ElasticMQ busy past the test profile's 3 s
        // when the consumer looks its queue up (the relays keep 3 s, inside their 6 s lease)
        settings.put("outbox.sqs.api-call-timeout", "10s");
        settings.put("camel.component.kafka.session-timeout-ms", "10000");
        settings.put("camel.component.kafka.heartbeat-interval-ms", "2000");
        settings.put("outbox.consume.handlers[0].topic", "*faults-*");
        settings.put("outbox.consume.handlers[0].bean", "faultEffects");
        // retries outlast the database restart: an event must not be dead-lettered for a few seconds' outage
        settings.put("outbox.consume.redelivery.max-attempts", "15");
        settings.put("outbox.consume.redelivery.max-delay", "1s");
        consumer(settings, 0, kafkaConsumer, "kafka");
        settings.put("outbox.consume.consumers[0].topics[0]", kafkaTopic);
        settings.put("outbox.consume.consumers[0].concurrency", "2");
        settings.put("outbox.consume.consumers[0].max-wait", "200ms");
        consumer(settings, 1, sqsConsumer, "sqs");
        settings.put("outbox.consume.consumers[1].queue", sqsTopic.replace('.', '-') + ".fifo");
        settings.put("outbox.consume.consumers[1].concurrency", "2");
        settings.put("outbox.consume.consumers[1].wait-time", "1s");
        settings.put("outbox.consume.consumers[1].visibility-timeout", "30s");
        consumer(settings, 2, rabbitConsumer(node), "rabbitmq");
        settings.put("outbox.consume.consumers[2].topics[0]", rabbitTopic);
        settings.put("outbox.consume.consumers[2].exchange", "outbox-test");
        return settings;
    }

    private static void consumer(Map<String, Object> settings, int index, String name, String broker) {
        settings.put("outbox.consume.consumers[" + index + "].name", name);
        settings.put("outbox.consume.consumers[" + index + "].broker", broker);
    }

    private String rabbitConsumer(String node) {
        return "faults-rabbit-" + run + "-" + node;
    }

    private NodeProcess start(String name, Map<String, Object> settings) throws Exception {
        NodeProcess node = NodeProcess.launch(name, settings, folder);
        nodes.add(node);
        return node;
    }

    /** Writes the events in order n = 1, 2, ... of every aggregate, 100 to a transaction, evenly over WRITING. */
    private void writeEvents(AtomicInteger written) {
        int perAggregate = EVENTS / AGGREGATES;
        int batch = 100;
        long pauseNanos = WRITING.toNanos() / (EVENTS / batch);
        long next = System.nanoTime();
        for (int n = 1; n <= perAggregate; n++) {
            for (int first = 0; first < AGGREGATES; first += batch) {
                List<Object[]> rows = new ArrayList<>();
                for (int a = first; a < Math.min(AGGREGATES, first + batch); a++) {
                    String topic = switch (a % 3) {
                        case 0 -> kafkaTopic;
                        case 1 -> sqsTopic;
                        default -> rabbitTopic;
                    };
                    String aggregate = "a-" + a;
                    rows.add(new Object[] {topic, aggregate, "{\"aggregate\":\"" + aggregate + "\",\"n\":" + n + "}",
                            topic + ":" + aggregate + ":" + n});
                }
                // the database may be down: the same rows again, until they are in (the dedupe key makes that safe)
                while (!insert(rows)) {
                    sleepQuietly(300);
                }
                written.addAndGet(rows.size());
                next += pauseNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    sleepQuietly(wait / 1_000_000);
                }
            }
        }
    }

    private boolean insert(List<Object[]> rows) {
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                    VALUES (?, ?, 'FaultEvent', CAST(? AS jsonb), ?)
                    ON CONFLICT (dedupe_key) DO NOTHING""")) {
                for (Object[] row : rows) {
                    for (int i = 0; i < row.length; i++) {
                        insert.setObject(i + 1, row[i]);
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
            return true;
        } catch (SQLException | RuntimeException | AssertionError e) {
            // the driver's own assertions can fail too when the server goes away mid-statement
            return false;
        }
    }

    /**
     * Kills a relay as soon as it holds a claimed batch (or after 10 s): a transaction of its that locked
     * outbox rows FOR UPDATE. Answers how many such batches were open.
     */
    private int killHoldingClaims(NodeProcess relay) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int open = 0;
        try (Connection connection = connect()) {
            while (open == 0 && System.nanoTime() < deadline) {
                open = queryInt(connection, """
                        SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE a.application_name = ? AND l.locktype = 'relation'
                          AND l.relation = 'outbox_events'::regclass AND l.mode = 'RowShareLock'""", relay.name());
            }
        }
        relay.kill();
        return open;
    }

    /** Kills the process as soon as the database shows it inside a transaction; answers how many were open. */
    private int killWithOpenTransactions(NodeProcess node) throws Exception {
        String open = """
                SELECT count(*) FROM pg_stat_activity
                WHERE application_name = '%s' AND xact_start IS NOT NULL AND state <> 'idle'""".formatted(node.name());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int seen = 0;
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            while (seen == 0 && System.nanoTime() < deadline) {
                try (ResultSet rows = statement.executeQuery(open)) {
                    rows.next();
                    seen = rows.getInt(1);
                }
            }
        }
        node.kill();
        return seen;
    }

    private void awaitSettled(int written) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            Figures figures = figures();
            System.out.printf("faults %s: settling: %d unpublished, %d lost so far%n", run, figures.unpublished(),
                    figures.lost());
            if (figures.unpublished() == 0 && figures.lost() == 0 && figures.leased() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                System.out.printf("faults %s: not settled after %s%n", run, SETTLE);
                return;
            }
            Thread.sleep(5_000);
        }
    }

    /** What every broker's consumers did with the events, from the database. */
    private Figures figures() throws SQLException {
        List<String[]> consumers = List.of(
                new String[] {"kafka", kafkaConsumer, kafkaTopic},
                new String[] {"sqs", sqsConsumer, sqsTopic},
                new String[] {"rabbitmq", rabbitConsumer("consumer-1"), rabbitTopic},
                new String[] {"rabbitmq", rabbitConsumer("consumer-2"), rabbitTopic});
        List<Figures.Row> rows = new ArrayList<>();
        try (Connection connection = connect()) {
            for (String[] consumer : consumers) {
                String broker = consumer[0];
                String name = consumer[1];
                int sent = queryInt(connection, "SELECT count(*) FROM outbox_events WHERE topic = ?", consumer[2]);
                int delivered = queryInt(connection, "SELECT count(DISTINCT dedupe_key) FROM faults.effects WHERE consumer = ?",
                        name);
                int twice = queryInt(connection, """
                        SELECT count(*) FROM (SELECT dedupe_key FROM faults.effects WHERE consumer = ?
                                              GROUP BY dedupe_key HAVING count(*) > 1) AS d""", name);
                // an effect whose n is below one its aggregate already had, in commit order of the effects
                int outOfOrder = queryInt(connection, """
                        SELECT count(*) FROM (
                            SELECT n, max(n) OVER (PARTITION BY aggregate_id ORDER BY id
                                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
                            FROM faults.effects WHERE consumer = ?) AS e
                        WHERE n < before""", name);
                int deadLetters = queryInt(connection, "SELECT count(*) FROM consumer_dead_letters WHERE consumer = ?",
                        name);
                rows.add(new Figures.Row(broker, name, sent, delivered, sent - delivered, outOfOrder, twice, deadLetters));
            }
            int unpublished = queryInt(connection, "SELECT count(*) FROM outbox_events WHERE published_at IS NULL");
            int leased = queryInt(connection, """
                    SELECT (SELECT count(*) FROM outbox_events WHERE lease_owner IS NOT NULL OR lease_until > now())
                         + (SELECT count(*) FROM consumer_deferred_events)
                         + (SELECT count(*) FROM job_queue WHERE lease_until > now())""");
            int parked = queryInt(connection, "SELECT count(*) FROM outbox_events WHERE parked_at IS NOT NULL");
            return new Figures(rows, unpublished, leased, parked);
        }
    }

    private record Figures(List<Row> rows, int unpublished, int leased, int parked) {

        record Row(String broker, String consumer, int sent, int delivered, int lost, int outOfOrder, int appliedTwice,
                   int deadLetters) {
        }

        int lost() {
            return rows.stream().mapToInt(Row::lost).sum();
        }

        int outOfOrder() {
            return rows.stream().mapToInt(Row::outOfOrder).sum();
        }

        int appliedTwice() {
            return rows.stream().mapToInt(Row::appliedTwice).sum();
        }

        int deadLetters() {
            return rows.stream().mapToInt(Row::deadLetters).sum();
        }

        void print(String run) {
            System.out.printf("faults %s: %-8s %-34s %7s %9s %5s %12s %13s %12s%n", run, "broker", "consumer", "sent",
                    "delivered", "lost", "out of order", "applied twice", "dead letters");
            for (Row row : rows) {
                System.out.printf("faults %s: %-8s %-34s %7d %9d %5d %12d %13d %12d%n", run, row.broker(),
                        row.consumer(), row.sent(), row.delivered(), row.lost(), row.outOfOrder(), row.appliedTwice(),
                        row.deadLetters());
            }
            System.out.printf("faults %s: unpublished %d, parked %d, left leased %d%n", run, unpublished, parked, leased);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl() + "?ApplicationName=fault-suite", "postgres", "");
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int queryInt(Connection connection, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** Waits until the given share of the writing time has passed since start. */
    private static void at(long start, double share) throws InterruptedException {
        long due = start + (long) (WRITING.toNanos() * share);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private void step(String what, String detail) {
        System.out.printf("faults %s: %-28s %s%n", run, what, detail);
        report.put(what, detail);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
