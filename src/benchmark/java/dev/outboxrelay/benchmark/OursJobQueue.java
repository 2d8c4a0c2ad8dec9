package dev.outboxrelay.benchmark;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.outboxrelay.benchmark.peer.Micros;
import dev.outboxrelay.benchmark.work.BenchmarkWork;

/**
 * Ours in the job-queue scenario: the relay process with its job workers on ({@code workers} threads)
 * and the benchmark's no-op queue worker; jobs are enqueued with plain SQL into {@code job_queue}, as
 * the Java API's statement does, in one transaction.
 */
final class OursJobQueue implements JobQueueSystem {

    @Override
    public String name() {
        return "ours";
    }

    @Override
    public String peerModule() {
        return null;
    }

    @Override
    public String unsupported() {
        return null;
    }

    @Override
    public void prepare(BenchDatabase database) {
        // the relay's Flyway migrations (applied to every benchmark database) create the job queue
    }

    @Override
    public SystemProcess start(Bench bench, BenchDatabase database, int workers) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(bench.servers().relayProperties(database));
        properties.put("server.port", "0");
        properties.put("outbox.relay.instance-id", "bench-ours-jobs");
        properties.put("outbox.jobs.worker-threads", Integer.toString(workers));
        List<String> arguments = new ArrayList<>();
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        return bench.launchRelay("jobs", name(), bench.relayWithWorkClasspath(), arguments);
    }

    @Override
    public long enqueue(BenchDatabase database, long first, int count, Runnable beforeCommit) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("""
                    INSERT INTO job_queue (id, queue, payload)
                    SELECT gen_random_uuid(), '%s', jsonb_build_object('n', g)
                    FROM generate_series(%d::bigint, %d::bigint) AS g""".formatted(BenchmarkWork.JOB_QUEUE, first,
                    first + count - 1));
            statement.execute("ANALYZE job_queue");
            beforeCommit.run();
            connection.commit();
            return Micros.now();
        }
    }

    @Override
    public long remaining(BenchDatabase database) throws Exception {
        return database.count("SELECT count(*) FROM job_queue WHERE queue = '" + BenchmarkWork.JOB_QUEUE + "'");
    }

    @Override
    public String note() {
        return "job workers with the shipped defaults (batch 500), plain-SQL enqueue";
    }
}
