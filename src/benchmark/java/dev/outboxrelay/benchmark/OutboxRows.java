package dev.outboxrelay.benchmark;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.outboxrelay.benchmark.peer.CommitTimes;
import dev.outboxrelay.benchmark.peer.Micros;
import dev.outboxrelay.benchmark.peer.PacedProducer;
import dev.outboxrelay.benchmark.peer.Payloads;

/**
 * Writes benchmark events into the relay's outbox table with plain SQL, the contract every producer
 * uses (README, "From any language"); the relay, the naive poller and Debezium all read this table.
 */
final class OutboxRows {

    private static final String INSERT = """
            INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
            VALUES (?, ?, 'BenchmarkEvent', ?::jsonb, ?)""";

    private OutboxRows() {
    }

    /**
     * Writes events {@code first .. first + count - 1} in ONE transaction, so that they become visible to
     * every system at the same instant, as a backlog does; ANALYZE in the same transaction gives the
     * planner statistics that count them. Returns the commit time.
     */
    static long backlog(BenchDatabase database, String topic, long first, int count, int aggregates,
                        Runnable beforeVisible) throws SQLException {
        try (Connection connection = database.connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                    SELECT ?, 'agg-' || (g % ?), 'BenchmarkEvent',
                           jsonb_build_object('n', g, 'aggregate', 'agg-' || (g % ?), 'filler', repeat('x', ?)),
                           ? || ':' || g
                    FROM generate_series(?::bigint, ?::bigint) AS g""");
                 Statement analyze = connection.createStatement()) {
                insert.setString(1, topic);
                insert.setInt(2, aggregates);
                insert.setInt(3, aggregates);
                insert.setInt(4, Payloads.FILLER);
                insert.setString(5, topic);
                insert.setLong(6, first);
                insert.setLong(7, first + count - 1);
                insert.executeUpdate();
                analyze.execute("ANALYZE outbox_events");
            }
            beforeVisible.run();
            connection.commit();
            return Micros.now();
        }
    }

    /** Producer transactions of {@code perTransaction} single-row INSERTs each, at {@code rate} events/s (0: flat out). */
    static CommitTimes produce(BenchDatabase database, String topic, long first, int count, int perTransaction,
                               double rate, int threads, long deadlineMillis, int aggregates) throws Exception {
        List<Connection> connections = new ArrayList<>();
        List<PreparedStatement> inserts = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                Connection connection = database.connect();
                connection.setAutoCommit(false);
                connections.add(connection);
                inserts.add(connection.prepareStatement(INSERT));
            }
            return PacedProducer.run(first, count, perTransaction, rate, threads, deadlineMillis, (worker, from, events) -> {
                PreparedStatement insert = inserts.get(worker);
                for (long n = from; n < from + events; n++) {
                    insert.setString(1, topic);
                    insert.setString(2, Payloads.aggregate(n, aggregates));
                    insert.setString(3, Payloads.json(n, aggregates));
                    insert.setString(4, topic + ":" + n);
                    insert.addBatch();
                }
                insert.executeBatch();
                connections.get(worker).commit();
            });
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    static long unpublished(BenchDatabase database, String topic) throws SQLException {
        return database.count("SELECT count(*) FROM outbox_events WHERE published_at IS NULL AND topic = '" + topic + "'");
    }
}
