package dev.outboxrelay.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;

import dev.outboxrelay.support.TestKafka;
import dev.outboxrelay.support.TestRabbit;
import dev.outboxrelay.support.TestSqs;

/**
 * The servers of one benchmark run: an embedded PostgreSQL 15 of its own (logical WAL for Debezium,
 * and fsync and synchronous_commit on, which zonky turns off by default), a Kafka 3.9 broker in KRaft
 * mode and ElasticMQ inside the harness JVM, and RabbitMQ on 127.0.0.1:5672 (the embedded Qpid broker
 * when none answers). No TCP proxies in between.
 */
final class BenchServers implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final long postmaster;
    private final TestKafka kafka;
    private final TestSqs sqs;
    private final TestRabbit rabbit;

    private BenchServers(EmbeddedPostgres postgres, long postmaster, TestKafka kafka, TestSqs sqs, TestRabbit rabbit) {
        this.postgres = postgres;
        this.postmaster = postmaster;
        this.kafka = kafka;
        this.sqs = sqs;
        this.rabbit = rabbit;
    }

    static BenchServers start(Path work) throws IOException, SQLException {
        Path data = work.resolve("pgdata");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_wal_senders", "4")
                .setServerConfig("max_replication_slots", "4")
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "4GB")
                .start();
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement();
             ResultSet settings = statement.executeQuery(
                     "SELECT current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_level')")) {
            settings.next();
            if (!settings.getString(1).equals("on") || !settings.getString(2).equals("on")
                    || !settings.getString(3).equals("logical")) {
                throw new IllegalStateException("embedded PostgreSQL runs with fsync=" + settings.getString(1)
                        + ", synchronous_commit=" + settings.getString(2) + ", wal_level=" + settings.getString(3));
            }
        }
        return new BenchServers(postgres, postmaster, TestKafka.start(true), TestSqs.start(true), TestRabbit.start(true));
    }

    String describe() {
        String version;
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SHOW server_version")) {
            row.next();
            version = row.getString(1);
        } catch (SQLException e) {
            version = "?";
        }
        return "embedded PostgreSQL " + version + " (fsync and synchronous_commit on, wal_level logical, shared_buffers 256MB), "
                + kafka + " (1 broker, 6 partitions per topic), " + sqs + ", " + rabbit;
    }

    /** A fresh database of its own for one system's run. */
    BenchDatabase createDatabase(String name) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + name);
        }
        return new BenchDatabase(this, name, "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + name);
    }

    void dropDatabase(String name) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
                    + name + "' AND NOT active");
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    long postmasterPid() {
        return postmaster;
    }

    String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    String sqsEndpoint() {
        return sqs.endpoint();
    }

    TestRabbit rabbit() {
        return rabbit;
    }

    void createTopic(String topic) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", kafka.bootstrapServers());
        try (AdminClient admin = AdminClient.create(properties)) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic, e);
        }
    }

    /** Spring properties that point the relay at these servers. */
    Map<String, String> relayProperties(BenchDatabase database) {
        return Map.of(
                "spring.datasource.url", database.jdbcUrl(),
                "spring.datasource.username", "postgres",
                "camel.component.kafka.brokers", kafka.bootstrapServers(),
                "outbox.sqs.endpoint", sqs.endpoint(),
                "outbox.sqs.access-key", "bench",
                "outbox.sqs.secret-key", "bench",
                "spring.rabbitmq.port", Integer.toString(rabbit.port()),
                "outbox.rabbitmq.unroutable-exchange", rabbit.isRealRabbit() ? "outbox.unroutable" : "",
                // the relay does not start without its accounts; the benchmark never signs in
                "outbox.security.viewer.password", UUID.randomUUID().toString(),
                "outbox.security.operator.password", UUID.randomUUID().toString());
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    static Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", "");
    }
}
