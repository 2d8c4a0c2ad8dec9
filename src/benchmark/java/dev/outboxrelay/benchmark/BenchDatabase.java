package dev.outboxrelay.benchmark;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;

/** One system's database in the benchmark's PostgreSQL, with the relay's schema migrated into it. */
record BenchDatabase(BenchServers servers, String name, String jdbcUrl) implements AutoCloseable {

    /** The relay's own Flyway migrations: the outbox table the relay, the naive poller and Debezium read. */
    BenchDatabase migrate() {
        Flyway.configure().dataSource(jdbcUrl, "postgres", "").locations("classpath:db/migration").load().migrate();
        return this;
    }

    Connection connect() throws SQLException {
        return BenchServers.connect(jdbcUrl);
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    long count(String sql) throws SQLException {
        try (Connection connection = connect();
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        servers.dropDatabase(name);
    }
}
