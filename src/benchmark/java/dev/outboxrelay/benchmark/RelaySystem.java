package dev.outboxrelay.benchmark;

import java.util.Map;

import dev.outboxrelay.benchmark.peer.CommitTimes;

/**
 * A system that moves events from PostgreSQL to a broker: ours or a peer. By default events enter the
 * way the relay's own producers write them, as rows of {@code outbox_events} written by the harness;
 * a system whose producer must live in its own process (Spring Modulith) overrides that.
 */
interface RelaySystem {

    /**
     * What one system run is for.
     *
     * @param scenario       scenario name, for the run folder
     * @param topic          the Kafka topic events go to (for ours: the outbox topic, routed by the routing table)
     * @param consumerGroup  for the pipeline: the idempotent consumer's group; null when nothing consumes
     */
    record Run(String scenario, String topic, String consumerGroup) {
        boolean consumes() {
            return consumerGroup != null;
        }
    }

    String name();

    /** The peer module holding it (benchmark/peers/...), or null for ours. */
    String peerModule();

    /** Why it cannot relay to this broker here ({@code kafka}, {@code sqs}, {@code rabbitmq}), or null. */
    default String unsupported(String broker) {
        return broker.equals("kafka") ? null : "a Kafka relay only";
    }

    /** Why it cannot run the full pipeline (relay + its idempotent consumer) here, or null. */
    default String pipelineUnsupported() {
        return null;
    }

    SystemProcess start(Bench bench, BenchDatabase database, Run run) throws Exception;

    /** Settings worth showing in the table. */
    default String note() {
        return "";
    }

    /**
     * Puts events {@code first .. first + count - 1} in its outbox at once; returns when they became
     * visible. {@code beforeVisible} runs just before that, once the writing is done, so a measured
     * phase counts the system's work and not the harness's inserts.
     */
    default long backlog(Bench bench, BenchDatabase database, SystemProcess process, String topic, long first, int count,
                         Runnable beforeVisible) throws Exception {
        return OutboxRows.backlog(database, topic, first, count, bench.settings().aggregates(), beforeVisible);
    }

    /**
     * For the pipeline: a query with one row per event its consumer handled, {@code n} (the event's
     * number) and {@code handled_micros} (when, in microseconds since the epoch).
     */
    default String handledSql(String consumerGroup) {
        return """
                SELECT event_key::bigint AS n, (extract(epoch FROM handled_at) * 1000000)::bigint AS handled_micros
                FROM bench_processed WHERE consumer = '%s'""".formatted(consumerGroup);
    }

    /** Producer transactions at an offered rate (0: flat out) until {@code count} events or the deadline. */
    default CommitTimes produce(Bench bench, BenchDatabase database, SystemProcess process, String topic, long first,
                                int count, int perTransaction, double rate, long deadlineMillis) throws Exception {
        return OutboxRows.produce(database, topic, first, count, perTransaction, rate,
                bench.settings().producerThreads(), deadlineMillis, bench.settings().aggregates());
    }

    /** The -Dbench.* settings of a peer process. */
    static Map<String, String> peerProperties(Bench bench, BenchDatabase database, Run run) {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        properties.put("bench.jdbc-url", database.jdbcUrl());
        properties.put("bench.kafka", bench.servers().kafkaBootstrap());
        properties.put("bench.topic", run.topic());
        properties.put("bench.aggregates", Integer.toString(bench.settings().aggregates()));
        if (run.consumes()) {
            properties.put("bench.consume-topic", run.topic());
            properties.put("bench.consumer-group", run.consumerGroup());
        }
        return properties;
    }
}
