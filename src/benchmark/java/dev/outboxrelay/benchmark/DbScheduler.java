package dev.outboxrelay.benchmark;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import dev.outboxrelay.benchmark.peer.Micros;

/**
 * db-scheduler 16 with its lock-and-fetch polling strategy. Jobs are one-time task instances of the
 * no-op task {@code bench-noop}, inserted into its {@code scheduled_tasks} table as its own
 * {@code schedule()} would write them; a finished one-time job is deleted.
 */
final class DbScheduler implements JobQueueSystem {

    @Override
    public String name() {
        return "db-scheduler";
    }

    @Override
    public String peerModule() {
        return "db-scheduler";
    }

    @Override
    public void prepare(BenchDatabase database) throws Exception {
        // db-scheduler's PostgreSQL table, as its documentation gives it
        database.execute("""
                CREATE TABLE scheduled_tasks (
                    task_name            text        NOT NULL,
                    task_instance        text        NOT NULL,
                    task_data            bytea,
                    execution_time       timestamptz NOT NULL,
                    picked               boolean     NOT NULL,
                    picked_by            text,
                    last_success         timestamptz,
                    last_failure         timestamptz,
                    consecutive_failures integer,
                    last_heartbeat       timestamptz,
                    version              bigint      NOT NULL,
                    priority             smallint,
                    PRIMARY KEY (task_name, task_instance)
                );
                CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
                CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
                CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)""");
    }

    @Override
    public SystemProcess start(Bench bench, BenchDatabase database, int workers) throws Exception {
        return bench.launchPeer("jobs", name(), peerModule(), "dev.outboxrelay.benchmark.peer.dbscheduler.DbSchedulerPeer",
                Map.of("bench.jdbc-url", database.jdbcUrl(), "bench.jobs.workers", Integer.toString(workers)));
    }

    @Override
    public long enqueue(BenchDatabase database, long first, int count, Runnable beforeCommit) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("""
                    INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, picked, version)
                    SELECT 'bench-noop', 'job-' || g, now(), false, 1
                    FROM generate_series(%d::bigint, %d::bigint) AS g""".formatted(first, first + count - 1));
            statement.execute("ANALYZE scheduled_tasks");
            beforeCommit.run();
            connection.commit();
            return Micros.now();
        }
    }

    @Override
    public long remaining(BenchDatabase database) throws Exception {
        return database.count("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'bench-noop'");
    }

    @Override
    public String note() {
        return "16.7.1, lock-and-fetch (0.5, 3.0), polling interval 500 ms";
    }
}
