package dev.outboxrelay.benchmark.peer.dbscheduler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.outboxrelay.benchmark.peer.PeerControl;
import dev.outboxrelay.benchmark.peer.PeerSettings;

/**
 * db-scheduler running no-op one-time jobs ({@code bench-noop}) that the harness inserts into its
 * {@code scheduled_tasks} table: 2 worker threads ({@code -Dbench.jobs.workers}), the lock-and-fetch
 * polling strategy (one {@code UPDATE ... FOR UPDATE SKIP LOCKED} claims up to
 * {@code -Dbench.jobs.upper-limit} x workers due jobs, default 3.0, db-scheduler's own upper limit for
 * fetching, and it claims again when fewer than half the workers' worth are left), polling interval
 * {@code -Dbench.jobs.poll-ms} (default 500 ms) when the queue is empty. A finished one-time job is
 * deleted from the table.
 */
public final class DbSchedulerPeer {

    private DbSchedulerPeer() {
    }

    public static void main(String[] args) {
        PeerSettings settings = PeerSettings.fromSystemProperties();
        int workers = Integer.getInteger("bench.jobs.workers", 2);
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(settings.jdbcUrl());
        pool.setUsername(settings.dbUser());
        pool.setPassword("");
        pool.setMaximumPoolSize(workers + 2);
        HikariDataSource dataSource = new HikariDataSource(pool);
        LongAdder done = new LongAdder();
        OneTimeTask<Void> noop = Tasks.oneTime("bench-noop").execute((instance, context) -> done.increment());
        Scheduler scheduler = Scheduler.create(dataSource, noop)
                .threads(workers)
                .pollUsingLockAndFetch(0.5, Double.parseDouble(System.getProperty("bench.jobs.upper-limit", "3.0")))
                .pollingInterval(Duration.ofMillis(Long.getLong("bench.jobs.poll-ms", 500)))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            scheduler.stop();
            dataSource.close();
        }));
        scheduler.start();
        PeerControl.ready();
        PeerControl.serve(Map.of("done", arguments -> "DONE " + done.sum()));
    }
}
