package dev.outboxrelay.benchmark.peer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The plain idempotent consumer a team would write beside a peer relay: poll a batch, record each
 * event's key in {@code bench_processed} with {@code ON CONFLICT DO NOTHING} (the handler is a no-op
 * that runs only for a new key) in one transaction, commit it, then commit the offsets.
 */
public final class IdempotentConsumer implements Runnable {

    private final PeerSettings settings;
    private volatile boolean running = true;

    public IdempotentConsumer(PeerSettings settings) {
        this.settings = settings;
    }

    public Thread start() {
        Thread thread = new Thread(this, "idempotent-consumer");
        thread.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running = false));
        return thread;
    }

    @Override
    public void run() {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", settings.kafka());
        properties.put("group.id", settings.consumerGroup());
        properties.put("enable.auto.commit", "false");
        properties.put("auto.offset.reset", "earliest");
        properties.put("max.poll.records", "500");
        properties.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        properties.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties);
             Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.dbUser(), "")) {
            connection.setAutoCommit(false);
            consumer.subscribe(List.of(settings.consumeTopic()));
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO bench_processed (consumer, event_key, handled_at)
                    VALUES (?, ?, clock_timestamp())
                    ON CONFLICT DO NOTHING""")) {
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        insert.setString(1, settings.consumerGroup());
                        insert.setString(2, Long.toString(Payloads.number(record.value())));
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    connection.commit();
                    consumer.commitSync();
                }
            }
        } catch (Exception e) {
            e.printStackTrace();
            PeerControl.answer("ERROR consumer " + e);
        }
    }
}
