package dev.outboxrelay.support;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.outboxrelay.OutboxRelayApplication;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.outbox.OutboxWriter;
import dev.outboxrelay.relay.RelayClaim;

/**
 * Base of the tests that run the whole service against real servers. All subclasses share one Spring
 * context (relay instance {@code test-a}) and the JVM's {@link TestServers}; each test works on topics
 * and aggregates of its own, so tests do not see each other's events.
 */
@CamelSpringBootTest
// Camel's test support switches JMX off by default; the management tests need the real thing
@DisableJmx(false)
// metrics export and tracing are part of what the tests check; Spring Boot switches them off in tests by default
@AutoConfigureObservability
@SpringBootTest(classes = OutboxRelayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@Import(TestTracing.class)
public abstract class RelayTestSupport {

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected OutboxWriter writer;

    @Autowired
    protected CamelContext camel;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        TestServers.get().properties().forEach((name, value) -> registry.add(name, () -> value));
    }

    protected static TestServers servers() {
        return TestServers.get();
    }

    /** A short random name part, so each test has topics and aggregates of its own. */
    protected static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    protected static OutboxEvent event(String topic, String aggregate, int n) {
        return OutboxEvent.builder(topic)
                .aggregateId(aggregate)
                .eventType("TestEvent")
                .payload("{\"aggregate\":\"" + aggregate + "\",\"n\":" + n + "}")
                .dedupeKey(topic + ":" + aggregate + ":" + n)
                .build();
    }

    protected int unpublished(String topic) {
        return count("SELECT count(*) FROM outbox_events WHERE topic = ? AND published_at IS NULL", topic);
    }

    protected int published(String topic) {
        return count("SELECT count(*) FROM outbox_events WHERE topic = ? AND published_at IS NOT NULL", topic);
    }

    /**
     * The topic's unpublished events another transaction holds locked, as a relay batch holds its claim
     * until it commits. Read by trying to lock them all (SKIP LOCKED) in a transaction that is rolled back.
     */
    protected int heldElsewhere(String topic) {
        Integer held = jdbc.execute((ConnectionCallback<Integer>) connection -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement("""
                    SELECT (SELECT count(*) FROM outbox_events WHERE topic = ? AND published_at IS NULL)
                         - (SELECT count(*) FROM (SELECT 1 FROM outbox_events
                                                  WHERE topic = ? AND published_at IS NULL
                                                  FOR UPDATE SKIP LOCKED) free)""")) {
                statement.setString(1, topic);
                statement.setString(2, topic);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getInt(1);
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            }
        });
        return held == null ? 0 : held;
    }

    protected int count(String sql, Object... args) {
        Integer value = jdbc.queryForObject(sql, Integer.class, args);
        return value == null ? 0 : value;
    }

    protected void awaitAllPublished(String topic, Duration timeout) {
        try {
            await("every event of " + topic + " published", timeout, () -> unpublished(topic) == 0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + relayState(topic), e);
        }
    }

    /** What a failed wait needs to be understood: route state, slot owners, and the topic's waiting rows. */
    protected String relayState(String topic) {
        StringBuilder state = new StringBuilder();
        state.append("relay route: ").append(camel.getRouteController().getRouteStatus("outbox-relay")).append('\n');
        state.append("slot owners: ").append(jdbc.queryForList(
                "SELECT owner, count(*) AS slots, max(lease_until) > now() AS live FROM relay_slots GROUP BY owner"))
                .append('\n');
        state.append("paused topics (count): ").append(camel.getRegistry().lookupByNameAndType("relayClaim", RelayClaim.class)
                .pausedTopics().length).append('\n');
        state.append("instances: ").append(jdbc.queryForList("SELECT * FROM relay_instances")).append('\n');
        state.append("waiting rows: ").append(jdbc.queryForList("""
                SELECT seq, aggregate_id, slot, attempts, next_attempt_at, parked_at,
                       left(last_error, 200) AS last_error
                FROM outbox_events WHERE topic = ? AND published_at IS NULL ORDER BY seq LIMIT 5""", topic))
                .append('\n');
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("outbox-relay")) {
                state.append("thread ").append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(8, stack.length); i++) {
                    state.append("\n    at ").append(stack[i]);
                }
                state.append('\n');
            }
        });
        return state.toString();
    }

    /** Waits for a condition, polling; fails with the description when it does not come true in time. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }

    protected List<String> relayRoutes() {
        return camel.getRoutes().stream().map(route -> route.getRouteId()).toList();
    }
}
