package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.outboxrelay.outbox.OutboxWriter;
import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * The relay wakes on the NOTIFY sent when events commit: with a poll interval of ten minutes an event
 * is still published at once. Without LISTEN/NOTIFY the same relay leaves it waiting. A writer inside
 * the trigger's notification window sends no NOTIFY, and the relay's tail polls after the last wake-up
 * find its event all the same.
 */
class NotifyWakeTest extends RelayTestSupport {

    private static final Map<String, Object> SLOW_POLL = Map.of("outbox.relay.poll-interval", "10m");

    @BeforeEach
    void onlyTheTestedInstanceRelays() throws Exception {
        camel.getRouteController().stopRoute("outbox-relay");
    }

    @AfterEach
    void resumeTestA() throws Exception {
        camel.getRouteController().startRoute("outbox-relay");
    }

    @Test
    void committedEventWakesTheRelayLongBeforeItsNextPoll() {
        try (RelayInstance instance = RelayInstance.start("notify-" + unique(), SLOW_POLL)) {
            String topic = awaitIdleAndWrite(instance);
            awaitAllPublished(topic, Duration.ofSeconds(10));
        }
    }

    @Test
    void withoutListenNotifyTheSameEventWaitsForThePoll() throws InterruptedException {
        Map<String, Object> settings = new java.util.HashMap<>(SLOW_POLL);
        settings.put("outbox.relay.listen-notify", "false");
        try (RelayInstance instance = RelayInstance.start("no-notify-" + unique(), settings)) {
            String topic = awaitIdleAndWrite(instance);
            Thread.sleep(3000);
            assertThat(unpublished(topic)).isEqualTo(1);
        }
    }

    @Test
    void eventOfAWriterInsideTheNotificationWindowIsFoundByTheTailPolls() throws Exception {
        try (RelayInstance instance = RelayInstance.start("notify-window-" + unique(), SLOW_POLL);
             Connection listener = connect(false);
             Connection notifying = connect(false);
             Connection quiet = connect(true)) {
            String topic = awaitIdleAndWrite(instance);
            awaitAllPublished(topic, Duration.ofSeconds(10));
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN " + OutboxNotifications.CHANNEL);
            }
            notifying.setAutoCommit(false);
            quiet.setAutoCommit(false);
            insert(notifying, topic, "first", "");
            // one simple-protocol message: both statements share statement_timestamp(), so the insert's
            // trigger finds its millisecond taken and leaves the NOTIFY out
            insert(quiet, topic, "second", "SELECT setval('outbox_notify_clock', "
                    + "floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint); ");
            notifying.commit();
            await("the first event published", Duration.ofSeconds(10), () -> unpublished(topic) == 1);
            Thread.sleep(300);
            quiet.commit();

            awaitAllPublished(topic, Duration.ofSeconds(5));
            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(500);
            assertThat(received).as("the first writer's NOTIFY alone").hasSize(1);
        }
    }

    private static Connection connect(boolean simpleProtocol) throws SQLException {
        Map<String, Object> settings = servers().properties();
        Properties properties = new Properties();
        properties.setProperty("user", String.valueOf(settings.get("spring.datasource.username")));
        properties.setProperty("password", String.valueOf(settings.get("spring.datasource.password")));
        if (simpleProtocol) {
            properties.setProperty("preferQueryMode", "simple");
        }
        return DriverManager.getConnection(String.valueOf(settings.get("spring.datasource.url")), properties);
    }

    private static void insert(Connection connection, String topic, String name, String before) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(before + "INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key) "
                    + "VALUES ('" + topic + "', '" + topic + "-" + name + "', 'TestEvent', '{}', '" + topic + ":" + name + "')");
        }
    }

    /** Waits until the instance holds every slot and has polled, so only a wake-up can make it poll again. */
    private String awaitIdleAndWrite(RelayInstance instance) {
        await("instance holds all slots", Duration.ofSeconds(15), () ->
                count("SELECT count(*) FROM relay_slots WHERE owner = ? AND lease_until > now()",
                        instance.bean(RelayClaim.class).owner()) == 64);
        try {
            Thread.sleep(2000); // the wake that followed taking the slots and its tail polls are over
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String topic = "kafka.notify-" + unique();
        instance.bean(OutboxWriter.class).write(event(topic, topic + "-agg-1", 0));
        return topic;
    }
}
