package dev.outboxrelay.observe;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Job queue gauges per queue: jobs ready to run (due and not leased), how long the oldest of them has
 * been due, jobs running (under a live lease) and jobs scheduled for later. {@code job_queue} holds
 * only unfinished jobs (finished and failed ones move to their own tables), so the statement reads the
 * queue's current work and nothing of its history. Refreshed in the background by {@link MetricsRefresh}.
 */
@Component
public class JobQueueMetrics implements RefreshedMetrics {

    private static final String QUEUES = """
            SELECT queue,
                   count(*) FILTER (WHERE run_at <= now() AND (lease_until IS NULL OR lease_until < now())) AS ready,
                   min(run_at) FILTER (WHERE run_at <= now() AND (lease_until IS NULL OR lease_until < now()))
                       AS oldest_ready,
                   count(*) FILTER (WHERE lease_until >= now()) AS running,
                   count(*) FILTER (WHERE run_at > now() AND (lease_until IS NULL OR lease_until < now())) AS scheduled
            FROM job_queue
            GROUP BY queue
            """;

    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    private final Map<String, QueueFigures> queues = new ConcurrentHashMap<>();

    public JobQueueMetrics(JdbcTemplate jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.meters = meters;
    }

    @Override
    public void refresh() {
        Map<String, QueueFigures> read = new HashMap<>();
        Instant now = Instant.now();
        jdbc.query(QUEUES, row -> {
            Timestamp oldest = row.getTimestamp("oldest_ready");
            QueueFigures figures = new QueueFigures();
            figures.ready = row.getLong("ready");
            figures.oldestReadyAgeMillis = oldest == null ? 0
                    : Math.max(0, Duration.between(oldest.toInstant(), now).toMillis());
            figures.running = row.getLong("running");
            figures.scheduled = row.getLong("scheduled");
            read.put(row.getString("queue"), figures);
        });
        read.keySet().forEach(this::figures);
        queues.forEach((queue, figures) -> {
            QueueFigures current = read.getOrDefault(queue, new QueueFigures());
            figures.ready = current.ready;
            figures.oldestReadyAgeMillis = current.oldestReadyAgeMillis;
            figures.running = current.running;
            figures.scheduled = current.scheduled;
        });
    }

    private QueueFigures figures(String queue) {
        return queues.computeIfAbsent(queue, name -> {
            QueueFigures figures = new QueueFigures();
            Gauge.builder("outbox.jobs.ready", figures, f -> f.ready)
                    .description("Jobs due and waiting for a worker")
                    .tag("queue", name).register(meters);
            Gauge.builder("outbox.jobs.oldest.ready.age", figures, f -> f.oldestReadyAgeMillis / 1000.0)
                    .description("Seconds the oldest ready job has been due")
                    .baseUnit("seconds")
                    .tag("queue", name).register(meters);
            Gauge.builder("outbox.jobs.running", figures, f -> f.running)
                    .description("Jobs claimed by a worker whose lease is live")
                    .tag("queue", name).register(meters);
            Gauge.builder("outbox.jobs.scheduled", figures, f -> f.scheduled)
                    .description("Jobs waiting for a later run_at (delayed, scheduled or backing off)")
                    .tag("queue", name).register(meters);
            return figures;
        });
    }

    /** A copy of the current figures per queue, for the dashboard. */
    public Map<String, QueueFigures> snapshot() {
        return Map.copyOf(queues);
    }

    /** The figures of one queue; written by the refresh thread, read by gauges. */
    public static final class QueueFigures {
        private volatile long ready;
        private volatile long oldestReadyAgeMillis;
        private volatile long running;
        private volatile long scheduled;

        public long ready() {
            return ready;
        }

        public long oldestReadyAgeMillis() {
            return oldestReadyAgeMillis;
        }

        public long running() {
            return running;
        }

        public long scheduled() {
            return scheduled;
        }
    }
}
