package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.outboxrelay.support.TestPostgres;
import dev.outboxrelay.support.TestServers;

/**
 * The claim's work per event stays flat while a backlog drains: it must not revisit the published
 * events of an aggregate on every probe. Counted in PostgreSQL's shared buffer accesses, which do not
 * depend on the machine's speed. Runs the migrated claim function in a schema of its own, so the
 * service's relay (and its slots) in the shared test database are left alone.
 */
class ClaimCostTest {

    private static final int AGGREGATES = 20;
    private static final int EVENTS_PER_AGGREGATE = 250;
    private static final int BATCH = 100;
    private static final String OWNER = "claim-cost";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String schema;
    private static Connection connection;

    @BeforeAll
    static void migrateOwnSchema() throws SQLException {
        TestPostgres postgres = TestServers.get().postgres();
        schema = "claim_cost_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        String url = postgres.jdbcUrl() + (postgres.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Flyway.configure().dataSource(url, postgres.username(), "").schemas(schema).load().migrate();
        connection = DriverManager.getConnection(url, postgres.username(), "");
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET jit = off");
            statement.execute("UPDATE relay_slots SET owner = '" + OWNER + "', lease_until = now() + interval '1 hour'");
            statement.execute("""
                    INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                    SELECT 'claim.cost', 'agg-' || (g %% %d), 'Measured', jsonb_build_object('n', g), 'claim-cost-' || g
                    FROM generate_series(1, %d) AS g""".formatted(AGGREGATES, AGGREGATES * EVENTS_PER_AGGREGATE));
            // statistics that know how many events each aggregate has: the estimate that made the planner
            // pick a bitmap scan for the probe
            statement.execute("ANALYZE outbox_events");
        }
    }

    @AfterAll
    static void dropOwnSchema() throws SQLException {
        if (connection != null) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            }
            connection.close();
        }
    }

    @Test
    void claimReadsNoMoreBuffersPerEventLateInADrainThanEarly() throws Exception {
        long early = buffersOfNextClaim();
        int batches = AGGREGATES * EVENTS_PER_AGGREGATE / BATCH;
        // as the relay does: the claim and the mark in one transaction that holds the claimed events
        connection.setAutoCommit(false);
        for (int i = 1; i < batches * 3 / 4; i++) {
            markPublished(claim());
            connection.commit();
        }
        connection.setAutoCommit(true);
        long late = buffersOfNextClaim();

        // each aggregate has ~190 published events by now; a probe that revisited them would read
        // several times the buffers of the first claim
        assertThat(late).as("shared buffers of a claim of %d after three quarters of the backlog (first claim: %d)",
                BATCH, early).isLessThan(early * 2);
        assertThat(remaining()).as("events left after the claims").isPositive();
    }

    @Test
    void orderCheckProbesTheIndexOfEventsHoldingTheirAggregateBack() throws Exception {
        long before = holdingBackIndexScans();
        connection.setAutoCommit(false);
        try {
            claim();
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
        // one probe per candidate walked; a plan that read the table instead would scan this index never
        assertThat(holdingBackIndexScans() - before).as("scans of outbox_events_holding_back_idx by a claim of %d", BATCH)
                .isGreaterThanOrEqualTo(BATCH);
    }

    /** How often the index of held-back events was scanned, this connection's last statements included. */
    private static long holdingBackIndexScans() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // statistics reach the shared counters when the backend next goes idle, at most once a second
            // unless forced; the read below then starts a new statistics snapshot
            statement.execute("SELECT pg_stat_force_next_flush()");
            try (ResultSet row = statement.executeQuery("""
                    SELECT idx_scan FROM pg_stat_user_indexes
                    WHERE schemaname = current_schema() AND indexrelname = 'outbox_events_holding_back_idx'""")) {
                assertThat(row.next()).as("outbox_events_holding_back_idx exists").isTrue();
                return row.getLong(1);
            }
        }
    }

    /** The next claim's shared buffer accesses, its own included; the claim is rolled back. */
    private static long buffersOfNextClaim() throws Exception {
        connection.setAutoCommit(false);
        try (PreparedStatement explain = connection.prepareStatement(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM outbox_claim_held(?, 1, 0, '{}', ?, 30)")) {
            explain.setString(1, OWNER);
            explain.setInt(2, BATCH);
            try (ResultSet plan = explain.executeQuery()) {
                plan.next();
                JsonNode top = JSON.readTree(plan.getString(1)).get(0).get("Plan");
                return top.get("Shared Hit Blocks").asLong() + top.get("Shared Read Blocks").asLong();
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
    }

    private static List<UUID> claim() throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement("SELECT id FROM outbox_claim_held(?, 1, 0, '{}', ?, 30)")) {
            claim.setString(1, OWNER);
            claim.setInt(2, BATCH);
            List<UUID> ids = new ArrayList<>();
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getObject(1, UUID.class));
                }
            }
            assertThat(ids).as("claimed").hasSize(BATCH);
            return ids;
        }
    }

    private static void markPublished(List<UUID> ids) throws SQLException {
        try (PreparedStatement mark = connection.prepareStatement(
                "UPDATE outbox_events SET published_at = now() WHERE id = ANY(?)")) {
            Array array = connection.createArrayOf("uuid", ids.toArray());
            mark.setArray(1, array);
            assertThat(mark.executeUpdate()).isEqualTo(ids.size());
        }
    }

    private static int remaining() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet count = statement.executeQuery("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")) {
            count.next();
            return count.getInt(1);
        }
    }
}
