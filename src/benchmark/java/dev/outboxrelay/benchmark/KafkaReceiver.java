package dev.outboxrelay.benchmark;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import dev.outboxrelay.benchmark.peer.Micros;
import dev.outboxrelay.benchmark.peer.Payloads;

/**
 * The harness's consumer: reads every partition of a topic from the start (assigned, no group, so no
 * rebalance delay) and records when each expected event first arrived, by the number in its body.
 */
final class KafkaReceiver implements AutoCloseable {

    /** The events a phase waits for: numbers {@code first .. first + count - 1}. */
    static final class Expectation {
        final long first;
        final long[] receivedMicros;
        private final BitSet seen;
        private volatile int distinct;
        private volatile long duplicates;
        private volatile long lastMicros;

        private Expectation(long first, int count) {
            this.first = first;
            this.receivedMicros = new long[count];
            this.seen = new BitSet(count);
        }

        private void record(long n, long now) {
            long index = n - first;
            if (index < 0 || index >= receivedMicros.length) {
                return;
            }
            if (seen.get((int) index)) {
                duplicates++;
                return;
            }
            seen.set((int) index);
            receivedMicros[(int) index] = now;
            lastMicros = now;
            distinct++;
        }

        int distinct() {
            return distinct;
        }

        long duplicates() {
            return duplicates;
        }

        long lastMicros() {
            return lastMicros;
        }

        boolean complete() {
            return distinct == receivedMicros.length;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread poller;
    private volatile Expectation expectation = new Expectation(0, 0);
    private volatile boolean running = true;

    KafkaReceiver(String bootstrapServers, String topic) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("enable.auto.commit", "false");
        properties.put("max.poll.records", "5000");
        properties.put("fetch.max.wait.ms", "100");
        properties.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        properties.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        consumer = new KafkaConsumer<>(properties);
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        poller = new Thread(this::poll, "receiver-" + topic);
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    expectation.record(Payloads.number(record.value()), Micros.now());
                }
            }
        } finally {
            consumer.close();
        }
    }

    Expectation expect(long first, int count) {
        Expectation next = new Expectation(first, count);
        expectation = next;
        return next;
    }

    /** Waits until every expected event arrived, or the timeout passed; true when complete. */
    static boolean await(Expectation expected, long timeoutMillis, SystemProcess system) {
        return await(expected, expected.receivedMicros.length, timeoutMillis, system);
    }

    /** Waits until {@code count} of the expected events arrived (as many as were written), or the timeout passed. */
    static boolean await(Expectation expected, int count, long timeoutMillis, SystemProcess system) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (expected.distinct() < count && System.nanoTime() < deadline) {
            system.ensureAlive();
            Benchmarks.sleep(10);
        }
        return expected.distinct() >= count;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.join(5_000);
    }
}
