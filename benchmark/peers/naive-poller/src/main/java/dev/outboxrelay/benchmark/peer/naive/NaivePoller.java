package dev.outboxrelay.benchmark.peer.naive;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import dev.outboxrelay.benchmark.peer.IdempotentConsumer;
import dev.outboxrelay.benchmark.peer.PeerControl;
import dev.outboxrelay.benchmark.peer.PeerSettings;
import dev.outboxrelay.benchmark.peer.ProducerSettings;

/**
 * The textbook outbox poller, on the relay's own outbox table (its claim matches the table's partial
 * index of unpublished rows): in one transaction, lock the oldest unpublished row with
 * {@code SELECT ... ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED}, send it to Kafka
 * and wait for the ack, mark it published, commit. {@code -Dbench.naive.threads} loops run side by
 * side (default 2, one per core); an empty poll sleeps {@code -Dbench.naive.idle-ms} (default 100).
 */
public final class NaivePoller {

    private static final String CLAIM = """
            SELECT id, topic, aggregate_id, payload::text
            FROM outbox_events
            WHERE published_at IS NULL AND parked_at IS NULL
            ORDER BY seq
            LIMIT 1
            FOR UPDATE SKIP LOCKED""";
    private static final String MARK = "UPDATE outbox_events SET published_at = now() WHERE id = ?";

    private NaivePoller() {
    }

    public static void main(String[] args) throws Exception {
        PeerSettings settings = PeerSettings.fromSystemProperties();
        int threads = Integer.getInteger("bench.naive.threads", 2);
        long idleMillis = Long.getLong("bench.naive.idle-ms", 100);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerSettings.relayDefaults(settings.kafka()));
        List<Thread> loops = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.dbUser(), "");
            connection.setAutoCommit(false);
            Thread loop = new Thread(() -> poll(connection, producer, idleMillis), "naive-poller-" + i);
            loop.setDaemon(true);
            loops.add(loop);
        }
        loops.forEach(Thread::start);
        if (settings.consumes()) {
            new IdempotentConsumer(settings).start();
        }
        PeerControl.ready();
        PeerControl.serve(Map.of());
    }

    private static void poll(Connection connection, KafkaProducer<byte[], byte[]> producer, long idleMillis) {
        try (PreparedStatement claim = connection.prepareStatement(CLAIM);
             PreparedStatement mark = connection.prepareStatement(MARK)) {
            while (true) {
                boolean found = false;
                try (ResultSet row = claim.executeQuery()) {
                    if (row.next()) {
                        found = true;
                        producer.send(new ProducerRecord<>(row.getString(2),
                                row.getString(3).getBytes(StandardCharsets.UTF_8),
                                row.getString(4).getBytes(StandardCharsets.UTF_8))).get();
                        mark.setObject(1, row.getObject(1));
                        mark.executeUpdate();
                    }
                }
                connection.commit();
                if (!found) {
                    Thread.sleep(idleMillis);
                }
            }
        } catch (SQLException | java.util.concurrent.ExecutionException e) {
            e.printStackTrace();
            PeerControl.answer("ERROR " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
