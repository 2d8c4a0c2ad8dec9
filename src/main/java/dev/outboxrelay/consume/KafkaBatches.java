package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

import dev.outboxrelay.observe.EventLogContext;

/**
 * The Kafka consumer route's steps. The route receives a batch of records (camel-kafka batching, manual
 * commit), runs each record through the shared processing route in partition order, and then commits,
 * per partition, the offset after the last record that was handled, skipped as a duplicate, deferred
 * or dead-lettered. Offsets never pass a record that failed without being dead-lettered: that
 * partition's later records in the batch are left alone and the consumer is sought back to the failed
 * record, so the next poll brings it again. Other partitions go on.
 *
 * <p>The records share one database transaction ({@link BatchTransaction}), each in a savepoint of its
 * own, committed before the offsets. A record counts as done only once the transaction that holds its
 * work committed. When a record fails an attempt, the work so far is committed first
 * ({@link #commitBeforeRedelivery(Exchange)}): its redeliveries and its dead letter then run on their
 * own, as on the other brokers, and the next record opens a new transaction. A transaction that cannot
 * commit loses its records' work: they are not done, their partitions stop and are sought back to them,
 * and the processed keys turn whatever was committed before into duplicates when they come again.
 *
 * <p>Everything here runs on the Kafka consumer's own polling thread, the only thread that may call it,
 * and the one the batch transaction is bound to.
 */
@Component("kafkaBatches")
public class KafkaBatches {

    /** Exchange property on the batch exchange holding the {@link Batch}. */
    static final String BATCH = "outboxKafkaBatch";
    /** Exchange property naming the consumer, set by the route template. */
    public static final String CONSUMER = "outboxConsumer";
    /** Exchange property naming the consumer's batch mode ({@code whole-batch} or {@code per-record}). */
    public static final String BATCH_MODE = "outboxKafkaBatchMode";
    /** Exchange property: whether the current record is due. */
    static final String DUE = "outboxDue";
    static final String RECORD = "outboxKafkaRecord";
    /**
     * Exchange property: the exception the record's handler threw when the batch was handled together.
     * That run was its first attempt; {@link EventHandlers} throws it again in place of the handler, so
     * the dead-letter channel counts it and waits before the next run.
     */
    static final String FAILED_TOGETHER = "outboxFailedTogether";
    /**
     * Records in one batch transaction at most; a larger batch commits when it is reached and goes on in a
     * new one. Each record's savepoint writes, so it takes a subtransaction id, and PostgreSQL keeps only 64
     * of them per backend in shared memory: past that the transaction is "suboverflowed" and every other
     * session's snapshot has to look visibility up in pg_subtrans, which slows the whole database (the
     * relay's claim first). 50 leaves room for a handler's own savepoints.
     */
    static final int MAX_RECORDS_PER_TRANSACTION = 50;

    private static final Logger log = LoggerFactory.getLogger(KafkaBatches.class);

    private static final TransactionDefinition WHOLE_BATCH =
            new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    private final ConsumedEvents events;
    private final PlatformTransactionManager transactions;
    private final ProcessedKeys keys;
    private final EventHandlers handlers;
    // per consumer and partition: when it was sought back; records fetched before that are stale copies
    private final Map<String, Long> rewoundAt = new ConcurrentHashMap<>();

    public KafkaBatches(ConsumedEvents events, PlatformTransactionManager transactions, ProcessedKeys keys,
                        EventHandlers handlers) {
        this.events = events;
        this.transactions = transactions;
        this.keys = keys;
        this.handlers = handlers;
    }

    /** Turns the batch into records to process, dropping stale copies fetched before a seek back. */
    @SuppressWarnings("unchecked")
    public List<Record> open(Exchange batch) {
        String consumer = batch.getProperty(CONSUMER, String.class);
        List<Exchange> records = batch.getMessage().getBody(List.class);
        Batch state = new Batch(consumer, new BatchTransaction(transactions));
        batch.setProperty(BATCH, state);
        batch.setProperty(BatchTransaction.PROPERTY, state.transaction);
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

    /**
     * The whole-batch mode (the consumer's {@code batch-mode}, the default): handles the batch's records in one
     * transaction, without the per-record route, its savepoints and its key insert per record; answers
     * the records left for the per-record route.
     *
     * <p>It takes, per partition, the records before the first one that is not due or fails its checks
     * (those go the per-record way, to be deferred or dead-lettered, and so does the rest of their
     * partition, in order). The keys of all of them are recorded with one statement; a record whose key
     * was there before, or came earlier in the batch, is a duplicate. The handlers run in partition
     * order in the same transaction, which commits once; then the records are reported and done. When a
     * handler or the commit fails, the transaction rolls back whole, and every record of the batch runs
     * through the per-record route: the others' handlers run again, their first run having been rolled
     * back, and the failing one meets its redeliveries and dead letter there, its run here counting as
     * its first attempt (a permanent failure is not run again).
     */
    @SuppressWarnings("unchecked")
    public List<Record> handleTogether(Exchange exchange) {
        List<Record> records = exchange.getMessage().getBody(List.class);
        Batch state = batch(exchange);
        if (ConsumeProperties.KafkaBatchMode.PER_RECORD.configName().equals(exchange.getProperty(BATCH_MODE, String.class))
                || records.isEmpty()) {
            return records;
        }
        Instant now = Instant.now();
        List<Record> together = new ArrayList<>(records.size());
        Set<TopicPartition> perRecord = new HashSet<>();
        for (Record record : records) {
            if (!perRecord.contains(record.partition()) && passes(record.event(), now)) {
                together.add(record);
            } else {
                perRecord.add(record.partition());
            }
        }
        if (together.isEmpty()) {
            return records;
        }
        long started = System.nanoTime();
        boolean[] duplicate = new boolean[together.size()];
        Record running = null;
        TransactionStatus transaction = transactions.getTransaction(WHOLE_BATCH);
        try {
            Set<String> added = keys.addAll(state.consumer, together.stream().map(record -> record.event().dedupeKey()).toList());
            for (int i = 0; i < together.size(); i++) {
                ConsumedEvent event = together.get(i).event();
                duplicate[i] = !added.remove(event.dedupeKey());
                if (!duplicate[i]) {
                    EventLogContext.of(event.id(), event.dedupeKey(), 0, started);
                    running = together.get(i);
                    handlers.handle(event);
                    running = null;
                }
            }
            transactions.commit(transaction);
        } catch (Exception e) {
            if (!transaction.isCompleted()) {
                try {
                    transactions.rollback(transaction);
                } catch (RuntimeException rollback) {
                    e.addSuppressed(rollback);
                }
            }
            if (running != null) {
                state.failedTogether.put(running, e);
            }
            log.info("{}: {} record(s) handled together were rolled back ({}); each record of the batch runs on its own",
                    state.consumer, together.size(), DeadLetters.describe(e));
            return records;
        } finally {
            EventLogContext.clear();
        }
        for (int i = 0; i < together.size(); i++) {
            Record record = together.get(i);
            events.report(record.event(), duplicate[i], 0, started);
            state.done.put(record, Boolean.TRUE);
        }
        if (together.size() == records.size()) {
            return List.of();
        }
        Set<Record> handled = new HashSet<>(together);
        return records.stream().filter(record -> !handled.contains(record)).toList();
    }

    private boolean passes(ConsumedEvent event, Instant now) {
        if (!event.isDue(now)) {
            return false;
        }
        try {
            events.check(event);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether a record may be processed: not when an earlier record of its partition failed in this batch. */
    public boolean shouldProcess(Exchange exchange) {
        Record record = exchange.getMessage().getBody(Record.class);
        return !batch(exchange).failed(record.partition());
    }

    /**
     * Puts the record's event on the exchange, tells the route whether it is due, and opens the batch
     * transaction unless it is open (committing the open one first once it holds
     * {@link #MAX_RECORDS_PER_TRANSACTION} records).
     */
    public void prepare(Exchange exchange) {
        Record record = exchange.getMessage().getBody(Record.class);
        exchange.setProperty(RECORD, record);
        Batch state = batch(exchange);
        if (state.uncommitted.size() >= MAX_RECORDS_PER_TRANSACTION && !state.commitSoFar()
                && state.failed(record.partition())) {
            throw new IllegalStateException("earlier records of " + record.partition()
                    + " were rolled back with the batch transaction and come again first");
        }
        ConsumedEvents.attach(exchange, record.event());
        exchange.setProperty(DUE, record.event().isDue(Instant.now()));
        Exception failedTogether = state.failedTogether.remove(record);
        if (failedTogether != null) {
            exchange.setProperty(FAILED_TOGETHER, failedTogether);
        }
        state.transaction.begin();
    }

    /**
     * Unless the record failed: it was handled, skipped as a duplicate, deferred or dead-lettered, and its
     * offset may be committed once the transaction holding its work (if one is open) has committed.
     */
    public void finish(Exchange exchange) {
        EventLogContext.clear();
        Record record = exchange.getProperty(RECORD, Record.class);
        if (record != null && !exchange.getProperty(ConsumedEvents.FAILED, false, Boolean.class)) {
            batch(exchange).finished(record);
        }
    }

    /**
     * A record failed an attempt (the dead-letter channel's onExceptionOccurred, before it decides on a
     * redelivery): its savepoint is rolled back already, so the batch's work so far is committed now. A
     * redelivery wait then never holds the batch transaction, and the locks of its processed keys, open;
     * the record's retries and dead letter run in transactions of their own.
     *
     * <p>Should that commit fail, the records it held are not done and their partitions stop. If the
     * failing record's own partition is one of them, the record is marked held: it must neither be retried
     * nor dead-lettered ahead of the earlier records that come again.
     */
    public void commitBeforeRedelivery(Exchange exchange) {
        Batch state = batch(exchange);
        Record record = exchange.getProperty(RECORD, Record.class);
        if (state == null || record == null || !state.transaction.isOpen()) {
            return;
        }
        if (!state.commitSoFar() && state.failed(record.partition())) {
            exchange.setProperty(ConsumedEvents.HELD, "earlier records of " + record.partition()
                    + " were rolled back with the batch transaction and come again first");
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
        state.commitSoFar();
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

        // Where it was read says which record it is; the generated methods would hash the whole event
        // (payload included) on every lookup in the batch's bookkeeping.
        @Override
        public boolean equals(Object other) {
            return other instanceof Record record && offset == record.offset && partition.equals(record.partition);
        }

        @Override
        public int hashCode() {
            return partition.hashCode() * 31 + Long.hashCode(offset);
        }
    }

    /** What became of a batch's records, per partition in offset order, and their transaction. */
    static final class Batch {

        private final String consumer;
        private final BatchTransaction transaction;
        private final Map<TopicPartition, List<Record>> byPartition = new LinkedHashMap<>();
        private final Map<Record, Boolean> done = new ConcurrentHashMap<>();
        private final Map<TopicPartition, Boolean> failed = new ConcurrentHashMap<>();
        // records whose handler failed when the batch was handled together, with what it threw
        private final Map<Record, Exception> failedTogether = new ConcurrentHashMap<>();
        // finished records whose work waits in the open transaction
        private final List<Record> uncommitted = new ArrayList<>();

        Batch(String consumer, BatchTransaction transaction) {
            this.consumer = consumer;
            this.transaction = transaction;
        }

        void add(Record record) {
            byPartition.computeIfAbsent(record.partition(), key -> new ArrayList<>()).add(record);
        }

        void finished(Record record) {
            if (transaction.isOpen()) {
                uncommitted.add(record);
            } else {
                done.put(record, Boolean.TRUE);
            }
        }

        /** Commits the open transaction; false when its records' work was lost and their partitions stop. */
        boolean commitSoFar() {
            boolean committed = transaction.commit();
            if (committed) {
                uncommitted.forEach(record -> done.put(record, Boolean.TRUE));
            } else {
                uncommitted.forEach(this::fail);
                if (!uncommitted.isEmpty()) {
                    log.warn("{}: {} record(s) rolled back with the batch transaction; their partitions are read "
                            + "again from the first of them", consumer, uncommitted.size());
                }
            }
            uncommitted.clear();
            return committed;
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
