package dev.outboxrelay.benchmark.peer.debezium;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;

import dev.outboxrelay.benchmark.peer.IdempotentConsumer;
import dev.outboxrelay.benchmark.peer.PeerControl;
import dev.outboxrelay.benchmark.peer.PeerSettings;
import dev.outboxrelay.benchmark.peer.ProducerSettings;

/**
 * Debezium's embedded engine with the PostgreSQL connector (pgoutput, streaming only: no snapshot)
 * capturing the relay's own {@code outbox_events} table, the outbox EventRouter (topic from the
 * {@code topic} column, key = {@code aggregate_id}, value = {@code payload}), and a change consumer
 * that produces each batch to Kafka with the relay's producer settings, waits for the acks and only
 * then lets the engine commit the offsets. {@code -Dbench.debezium.poll-interval-ms} sets the
 * connector's {@code poll.interval.ms} (Debezium's default is 500).
 */
public final class DebeziumPeer {

    private DebeziumPeer() {
    }

    public static void main(String[] args) throws Exception {
        PeerSettings settings = PeerSettings.fromSystemProperties();
        URI database = URI.create(settings.jdbcUrl().substring("jdbc:".length()));
        String workDir = System.getProperty("bench.work-dir", ".");
        Properties config = new Properties();
        config.setProperty("name", "bench-debezium");
        config.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        config.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        config.setProperty("offset.storage.file.filename", workDir + "/debezium-offsets.dat");
        config.setProperty("offset.flush.interval.ms", "1000");
        config.setProperty("database.hostname", database.getHost());
        config.setProperty("database.port", Integer.toString(database.getPort()));
        config.setProperty("database.user", settings.dbUser());
        config.setProperty("database.password", "");
        config.setProperty("database.dbname", database.getPath().substring(1));
        config.setProperty("topic.prefix", "bench");
        config.setProperty("plugin.name", "pgoutput");
        config.setProperty("slot.name", "bench_debezium");
        config.setProperty("publication.name", "bench_debezium");
        config.setProperty("publication.autocreate.mode", "filtered");
        config.setProperty("table.include.list", "public.outbox_events");
        config.setProperty("snapshot.mode", "no_data");
        config.setProperty("poll.interval.ms", System.getProperty("bench.debezium.poll-interval-ms", "500"));
        config.setProperty("transforms", "outbox");
        config.setProperty("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");
        config.setProperty("transforms.outbox.table.field.event.id", "id");
        config.setProperty("transforms.outbox.table.field.event.key", "aggregate_id");
        config.setProperty("transforms.outbox.table.field.event.payload", "payload");
        config.setProperty("transforms.outbox.table.fields.additional.placement",
                "event_type:header:outbox-event-type,dedupe_key:header:outbox-dedupe-key");
        config.setProperty("transforms.outbox.route.by.field", "topic");
        config.setProperty("transforms.outbox.route.topic.replacement", "${routedByValue}");
        config.setProperty("transforms.outbox.table.expand.json.payload", "false");

        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerSettings.relayDefaults(settings.kafka()));
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(config)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        PeerControl.ready();
                    }
                })
                .using((success, message, error) -> {
                    if (!success) {
                        PeerControl.answer("ERROR engine stopped: " + message + (error == null ? "" : " " + error));
                    }
                })
                .notifying((records, committer) -> {
                    List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
                    for (RecordChangeEvent<SourceRecord> event : records) {
                        SourceRecord record = event.record();
                        if (record.value() != null) {
                            sends.add(producer.send(toKafka(record)));
                        }
                    }
                    try {
                        for (Future<RecordMetadata> send : sends) {
                            send.get();
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("Kafka refused a record", e);
                    }
                    for (RecordChangeEvent<SourceRecord> event : records) {
                        committer.markProcessed(event);
                    }
                    committer.markBatchFinished();
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close();
                producer.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        if (settings.consumes()) {
            new IdempotentConsumer(settings).start();
        }
        PeerControl.serve(Map.of());
    }

    private static ProducerRecord<byte[], byte[]> toKafka(SourceRecord record) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(record.topic(), bytes(record.key()), bytes(record.value()));
        for (Header header : record.headers()) {
            out.headers().add(header.key(), bytes(header.value()));
        }
        return out;
    }

    private static byte[] bytes(Object value) {
        return value == null ? null : value.toString().getBytes(StandardCharsets.UTF_8);
    }
}
