package dev.outboxrelay.retention;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Rows of one kind the retention purge deletes, written straight into their table with a backdated
 * age column, and counted by a tag that keeps each test's rows apart.
 */
abstract class AgedRows {

    protected final JdbcTemplate jdbc;

    AgedRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    static AgedRows of(String kind, JdbcTemplate jdbc) {
        return switch (kind) {
            case "published-events" -> new PublishedEvents(jdbc);
            case "processed-keys" -> new ProcessedKeys(jdbc);
            case "finished-jobs" -> new FinishedJobs(jdbc);
            case "failed-jobs" -> new FailedJobs(jdbc);
            case "webhook-deliveries" -> new WebhookDeliveries(jdbc);
            case "dead-letters" -> new DeadLetters(jdbc);
            case "completions" -> new Completions(jdbc);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Inserts {@code rows} rows whose age column lies {@code age} (a PostgreSQL interval) back. */
    abstract void insert(String tag, int rows, String age);

    abstract int count(String tag);

    String topic(String tag) {
        return "kafka.retention-" + tag;
    }

    protected int count(String sql, String value) {
        Integer count = jdbc.queryForObject(sql, Integer.class, value);
        return count == null ? 0 : count;
    }

    private static final class PublishedEvents extends AgedRows {
        PublishedEvents(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        void insert(String tag, int rows, String age) {
            jdbc.update("""
                    INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key, created_at,
                                               published_at)
                    SELECT ?, 'agg-' || n, 'TestEvent', '{}', ? || ':' || CAST(? AS text) || ':' || n,
                           now() - CAST(? AS interval), now() - CAST(? AS interval)
                    FROM generate_series(0, ? - 1) AS n""", topic(tag), topic(tag), age, age, age, rows);
        }

        @Override
        int count(String tag) {
            return count("SELECT count(*) FROM outbox_events WHERE topic = ?", topic(tag));
        }
    }

    private static final class ProcessedKeys extends AgedRows {
        ProcessedKeys(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        void insert(String tag, int rows, String age) {
            jdbc.update("""
                    INSERT INTO consumer_processed_keys (consumer, dedupe_key, processed_at)
                    SELECT ?, CAST(? AS text) || ':' || n, now() - CAST(? AS interval)
                    FROM generate_series(0, ? - 1) AS n""", "retention-" + tag, age, age, rows);
        }

        @Override
        int count(String tag) {
            return count("SELECT count(*) FROM consumer_processed_keys WHERE consumer = ?", "retention-" + tag);
        }
    }

    private static final class FinishedJobs extends AgedRows {
        FinishedJobs(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        void insert(String tag, int rows, String age) {
            jdbc.update("""
                    WITH jobs AS (
                        INSERT INTO finished_jobs (id, queue, priority, unique_key, attempts, run_at, created_at,
                                                   finished_at)
                        SELECT gen_random_uuid(), ?, 0, CAST(? AS text) || ':' || n, 1, now() - CAST(? AS interval),
                               now() - CAST(? AS interval), now() - CAST(? AS interval)
                        FROM generate_series(0, ? - 1) AS n
                        RETURNING id, queue, unique_key
                    )
                    INSERT INTO job_unique_keys (queue, unique_key, job_id) SELECT queue, unique_key, id FROM jobs""",
                    "retention-" + tag, age, age, age, age, rows);
        }

        @Override
        int count(String tag) {
            return count("SELECT count(*) FROM finished_jobs WHERE queue = ?", "retention-" + tag);
        }
    }

    private static final class FailedJobs extends AgedRows {
        FailedJobs(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        void insert(String tag, int rows, String age) {
            jdbc.update("""
                    INSERT INTO failed_jobs (id, queue, priority, payload, attempts, max_attempts, last_error, run_at,
                                             created_at, failed_at)
                    SELECT gen_random_uuid(), ?, 0, '{}', 3, 3, 'failed ' || n, now() - CAST(? AS interval),
                           now() - CAST(? AS interval), now() - CAST(? AS interval)
                    FROM generate_series(0, ? - 1) AS n""", "retention-" + tag, age, age, age, rows);
        }

        @Override
        int count(String tag) {
            return count("SELECT count(*) FROM failed_jobs WHERE queue = ?", "retention-" + tag);
        }
    }

    private static final class WebhookDeliveries extends AgedRows {
        WebhookDeliveries(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        void insert(String tag, int rows, String age) {
            jdbc.update("""
                    INSERT INTO webhook_deliveries (job_id, subscription, url, completion_seq, attempt, succeeded,
                                                    status_code, duration_ms, attempted_at)
                    SELECT gen_random_uuid(), ?, 'http://127.0.0.1/hook', n, 1, true, 200, 5,
                           now() - CAST(? AS interval)
                    FROM generate_series(0, ? - 1) AS n""", "retention-" + tag, age, rows);
        }

        @Override
        int count(String tag) {
            return count("SELECT count(*) FROM webhook_deliveries WHERE subscription = ?", "retention-" + tag);
        }
    }

    private static final class DeadLetters extends AgedRows {
        DeadLetters(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        void insert(String tag, int rows, String age) {
            jdbc.update("""
                    INSERT INTO consumer_dead_letters (consumer, broker, source, topic, event_type, dedupe_key,
                                                       schema_version, payload, error, attempts, first_failed_at,
                                                       dead_lettered_at, replayed_at)
                    SELECT ?, 'kafka', 'orders', 'orders', 'TestEvent', CAST(? AS text) || ':' || n, 1, '{}',
                           'boom', 3, now() - CAST(? AS interval), now() - CAST(? AS interval),
                           CASE WHEN n % 2 = 0 THEN now() - CAST(? AS interval) END
                    FROM generate_series(0, ? - 1) AS n""", "retention-" + tag, age, age, age, age, rows);
        }

        @Override
        int count(String tag) {
            return count("SELECT count(*) FROM consumer_dead_letters WHERE consumer = ?", "retention-" + tag);
        }
    }

    private static final class Completions extends AgedRows {
        Completions(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        void insert(String tag, int rows, String age) {
            jdbc.update("""
                    INSERT INTO work_completions (kind, work_id, topic, outcome, completed_at, recorded_at)
                    SELECT 'job', gen_random_uuid()::text, ?, 'succeeded', now() - CAST(? AS interval),
                           now() - CAST(? AS interval)
                    FROM generate_series(0, ? - 1) AS n""", "retention-" + tag, age, age, rows);
        }

        @Override
        int count(String tag) {
            return count("SELECT count(*) FROM work_completions WHERE topic = ?", "retention-" + tag);
        }
    }
}
