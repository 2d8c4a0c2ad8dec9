package dev.outboxrelay.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL the tests and the demo use: the server on 127.0.0.1:5432 when one is there (always
 * in CI), in a database of this JVM's own (dropped by the next test run once this JVM has ended);
 * otherwise an embedded PostgreSQL 15 from zonky's binaries. {@code -Doutbox.test.embedded=true} forces the embedded servers.
 */
public final class TestPostgres {

    private static final int LOCAL_PORT = 5432;
    private static final String DATABASE_PREFIX = "outbox_relay_test_";

    private final String jdbcUrl;
    private final String username;
    private final String description;

    private TestPostgres(String jdbcUrl, String username, String description) {
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.description = description;
    }

    static TestPostgres start() {
        if (!Boolean.getBoolean("outbox.test.embedded") && FreePorts.isListening(LOCAL_PORT)) {
            TestPostgres local = tryLocal();
            if (local != null) {
                return local;
            }
        }
        return embedded();
    }

    private static TestPostgres tryLocal() {
        String admin = "jdbc:postgresql://127.0.0.1:" + LOCAL_PORT + "/test";
        String database = DATABASE_PREFIX + ProcessHandle.current().pid() + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        try (Connection connection = DriverManager.getConnection(admin, "postgres", "");
             Statement statement = connection.createStatement()) {
            dropLeftovers(statement);
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            return null;
        }
        return new TestPostgres("jdbc:postgresql://127.0.0.1:" + LOCAL_PORT + "/" + database, "postgres",
                "PostgreSQL on 127.0.0.1:" + LOCAL_PORT + ", database " + database);
    }

    /**
     * Drops the databases of earlier test JVMs that have ended. Not done at exit: the Spring contexts
     * still close then, and dropping their database under them only makes them wait.
     */
    private static void dropLeftovers(Statement statement) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery(
                "SELECT datname FROM pg_database WHERE datname LIKE '" + DATABASE_PREFIX + "%'")) {
            while (rows.next()) {
                leftovers.add(rows.getString(1));
            }
        }
        for (String name : leftovers) {
            String[] parts = name.substring(DATABASE_PREFIX.length()).split("_");
            boolean alive = ProcessHandle.of(Long.parseLong(parts[0])).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    private static TestPostgres embedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "4")
                    .setServerConfig("max_replication_slots", "4")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    // exiting anyway
                }
            }));
            return new TestPostgres(postgres.getJdbcUrl("postgres", "postgres"), "postgres",
                    "embedded PostgreSQL on port " + postgres.getPort());
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start", e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return username;
    }

    @Override
    public String toString() {
        return description;
    }
}
