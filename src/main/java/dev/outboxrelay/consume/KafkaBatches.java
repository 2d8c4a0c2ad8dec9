package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outboxrelay.observe.EventLogContext;

/**
 * The Kafka consumer route's steps. The route receives a batch of records (camel-kafka batching, manual
 * commit), runs each record through the shared processing route in partition order, and then commits,
 * per partition, the offset after the last record that was handled, skipped as a duplicate, deferred
 * or dead-lettered. Offsets never pass a record that failed without being dead-lettered: that
 * partition's later records in the batch are left alone and the consumer is sought back to the failed
 * record, so the next poll brings it again. Other partitions go on.
 *
 * <p>Everything here runs on the Kafka consumer's own polling thread, the only thread that may call it.
 */
@Component("kafkaBatches")
public class KafkaBatches {

    /** Exchange property on the batch exchange holding the {@link Batch}. */
    static final String BATCH = "outboxKafkaBatch";
    /** Exchange property naming the consumer, set by the route template. */
    public static final String CONSUMER = "outboxConsumer";
    /** Exchange property: whether the current record is due. */
    static final String DUE = "outboxDue";
    static final String RECORD = "outboxKafkaRecord";

    private static final Logger log = LoggerFactory.getLogger(KafkaBatches.class);

    private final ConsumedEvents events;
    // per consumer and partition: when it was sought back; records fetched before that are stale copies
    private final Map<String, Long> rewoundAt = new ConcurrentHashMap<>();

    public KafkaBatches(ConsumedEvents events) {
        this.events = events;
    }

    /** Turns the batch into records to process, dropping stale copies fetched before a seek back. */
    @SuppressWarnings("unchecked")
    public List<Record> open(Exchange batch) {
        String consumer = batch.getProperty(CONSUMER, String.class);
        List<Exchange> records = batch.getMessage().getBody(List.class);
        Batch state = new Batch(consumer);
        batch.setProperty(BATCH, state);
        List<Record> open = new ArrayList<>(records.size());
        for (Exchange record : records) {
            TopicPartition partition = new TopicPartition(record.getMessage().getHeader(KafkaConstants.TOPIC, String.class),
                    record.getMessage().getHeader(KafkaConstants.PARTITION, Integer.class));
            long offset = record.getMessage().getHeader(KafkaConstants.OFFSET, Long.class);
            Long rewound = rewoundAt.get(key(consumer, partition));
            if (rewound != null && record.getClock().getCreated() < rewound) {
                continue;
            }
            KafkaManualCommit commit = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            Record entry = new Record(partition, offset, commit, events.fromKafka(record, consumer));
            open.add(entry);
            state.add(entry);
        }
        return open;
    }

    /** Whether a record may be processed: not when an earlier record of its partition failed in this batch. */
    public boolean shouldProcess(Exchange exchange) {
        Record record = exchange.getMessage().getBody(Record.class);
        return !batch(exchange).failed(record.partition());
    }

    /** Puts the record's event on the exchange and tells the route whether it is due. */
    public void prepare(Exchange exchange) {
        Record record = exchange.getMessage().getBody(Record.class);
        exchange.setProperty(RECORD, record);
        ConsumedEvents.attach(exchange, record.event());
        exchange.setProperty(DUE, record.event().isDue(Instant.now()));
    }

    /**
     * Unless the record failed: it was handled, skipped as a duplicate, deferred or dead-lettered, and its
     * offset may be committed.
     */
    public void finish(Exchange exchange) {
        EventLogContext.clear();
        Record record = exchange.getProperty(RECORD, Record.class);
        if (record != null && !exchange.getProperty(ConsumedEvents.FAILED, false, Boolean.class)) {
            batch(exchange).done(record);
        }
    }

    /** The record failed and could not be dead-lettered: its partition stops here for this batch. */
    public void failed(Exchange exchange) {
        Record record = exchange.getProperty(RECORD, Record.class);
        if (record == null) {
            record = exchange.getMessage().getBody(Record.class);
        }
        batch(exchange).fail(record);
        exchange.setProperty(ConsumedEvents.FAILED, true);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        log.warn("Kafka record {}@{} of {} was neither handled nor dead-lettered; its partition is held there: {}",
                record.partition(), record.offset(), record.event().consumer(),
                cause == null ? "unknown error" : DeadLetters.describe(cause));
    }

    /**
     * Commits per partition up to the last record before the first one not done, and seeks each partition
     * with an undone record back to it.
     */
    public void commit(Exchange batch) {
        Batch state = batch.getProperty(BATCH, Batch.class);
        if (state == null) {
            return;
        }
        state.byPartition.forEach((partition, records) -> {
            Record lastDone = null;
            Record firstUndone = null;
            for (Record record : records) {
                if (!state.isDone(record)) {
                    firstUndone = record;
                    break;
                }
                lastDone = record;
            }
            try {
                if (lastDone != null && lastDone.commit() != null) {
                    lastDone.commit().commit();
                }
            } catch (RuntimeException e) {
                // e.g. the partition was revoked in a rebalance: its new owner reads from the last commit,
                // and the processed keys turn what was handled here into duplicates there
                log.warn("Committing {} up to offset {} failed: {}", partition, lastDone.offset(), e.toString());
            }
            if (firstUndone != null) {
                seekBack(state.consumer, partition, firstUndone);
            }
        });
    }

    private void seekBack(String consumer, TopicPartition partition, Record record) {
        if (!(record.commit() instanceof DefaultKafkaManualCommit manual)) {
            log.error("Cannot seek {} back to offset {}: no Kafka consumer at hand", partition, record.offset());
            return;
        }
        try {
            Consumer<?, ?> kafka = manual.getCamelExchangePayload().consumer;
            kafka.seek(partition, record.offset());
            rewoundAt.put(key(consumer, partition), System.currentTimeMillis());
            log.info("{} sought back to offset {} of {}", consumer, record.offset(), partition);
        } catch (RuntimeException e) {
            // the partition is no longer ours: the new owner starts from the last committed offset
            log.warn("Seeking {} back to offset {} failed: {}", partition, record.offset(), e.toString());
        }
    }

    private static String key(String consumer, TopicPartition partition) {
        return consumer + '/' + partition;
    }

    private static Batch batch(Exchange exchange) {
        return exchange.getProperty(BATCH, Batch.class);
    }

    /**
     * One record of a batch.
     *
     * @param partition where it was read
     * @param offset    its offset
     * @param commit    commits up to and including this record
     * @param event     the event it carries
     */
    public record Record(TopicPartition partition, long offset, KafkaManualCommit commit, ConsumedEvent event) {
    }

    /** What became of a batch's records, per partition in offset order. */
    static final class Batch {

        private final String consumer;
        private final Map<TopicPartition, List<Record>> byPartition = new LinkedHashMap<>();
        private final Map<Record, Boolean> done = new ConcurrentHashMap<>();
        private final Map<TopicPartition, Boolean> failed = new ConcurrentHashMap<>();

        Batch(String consumer) {
            this.consumer = consumer;
        }

        void add(Record record) {
            byPartition.computeIfAbsent(record.partition(), key -> new ArrayList<>()).add(record);
        }

        void done(Record record) {
            done.put(record, Boolean.TRUE);
        }

        void fail(Record record) {
            failed.put(record.partition(), Boolean.TRUE);
        }

        boolean failed(TopicPartition partition) {
            return failed.containsKey(partition);
        }

        boolean isDone(Record record) {
            return done.containsKey(record);
        }
    }
}
