package dev.outboxrelay.relay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Listens on the {@code outbox_events} channel, which the outbox table's trigger notifies when a
 * transaction that wrote events commits, and wakes the relay.
 *
 * <p>Uses a connection of its own, outside the pool: a LISTEN belongs to one session and must stay
 * open. When the connection drops it reconnects with a growing pause and wakes the relay once,
 * since notifications sent meanwhile are lost.
 */
@Component
public class OutboxNotifications implements SmartLifecycle {

    static final String CHANNEL = "outbox_events";
    private static final Logger log = LoggerFactory.getLogger(OutboxNotifications.class);
    private static final int WAIT_MILLIS = 500;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(10);

    private final DataSourceProperties dataSource;
    private final OutboxWakeScheduler scheduler;
    private final boolean enabled;
    private volatile boolean running;
    private Thread thread;

    public OutboxNotifications(DataSourceProperties dataSource, OutboxWakeScheduler scheduler,
                               RelayProperties properties) {
        this.dataSource = dataSource;
        this.scheduler = scheduler;
        this.enabled = properties.enabled() && properties.listenNotify();
    }

    @Override
    public synchronized void start() {
        if (!enabled || running) {
            return;
        }
        running = true;
        thread = new Thread(this::listen, "outbox-relay-listen");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        Duration pause = Duration.ofMillis(250);
        while (running) {
            try (Connection connection = DriverManager.getConnection(
                    dataSource.determineUrl(), dataSource.determineUsername(), dataSource.determinePassword())) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                log.info("Listening for committed outbox events on channel {}", CHANNEL);
                pause = Duration.ofMillis(250);
                scheduler.wake();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        scheduler.wake();
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                log.warn("Outbox notifications interrupted ({}); reconnecting in {} ms, polling meanwhile",
                        e.getMessage(), pause.toMillis());
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }
}
