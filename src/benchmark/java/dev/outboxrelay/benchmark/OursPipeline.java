package dev.outboxrelay.benchmark;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How ours runs the pipeline scenario: the relay process also consumes the topic with its own
 * idempotent Kafka consumer (issue 4's consumers, batch-committed, processed keys and the handlers'
 * work in one transaction per poll batch: batch mode whole-batch, the default) and the benchmark's
 * no-op handler ({@code dev.outboxrelay.benchmark.work}). {@code processed_at} is the start of the
 * batch's transaction, so a handled time read from it is early by up to one such transaction (a poll
 * batch: at most 100 records, the default prefetch).
 */
final class OursPipeline {

    /** Why ours cannot run the pipeline, or null. */
    String unsupported() {
        return null;
    }

    /** Spring properties that make the relay process consume the run's topic as the run's consumer group. */
    Map<String, String> properties(RelaySystem.Run run) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("outbox.consume.consumers[0].name", run.consumerGroup());
        properties.put("outbox.consume.consumers[0].broker", "kafka");
        properties.put("outbox.consume.consumers[0].topics[0]", run.topic());
        // one consumer per partition: each commits its own batches, so their transactions overlap
        properties.put("outbox.consume.consumers[0].concurrency", "6");
        properties.put("outbox.consume.handlers[0].topic", run.topic());
        properties.put("outbox.consume.handlers[0].bean", "benchmarkHandler");
        return properties;
    }

    /**
     * One row per handled event: its number ({@code n}, the tail of the dedupe key) and when its
     * handler's transaction recorded it ({@code handled_micros}), from the consumer's processed keys.
     */
    String handledSql(String group) {
        return """
                SELECT CAST(substring(dedupe_key FROM '([0-9]+)$') AS bigint) AS n,
                       CAST(extract(epoch FROM processed_at) * 1000000 AS bigint) AS handled_micros
                FROM consumer_processed_keys WHERE consumer = '%s'""".formatted(group);
    }
}
