package dev.outboxrelay.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.outboxrelay.completion.WorkCompleted;

/**
 * Enqueues jobs inside the caller's Spring transaction, so a job commits or rolls back with the
 * domain change that asked for it; without a surrounding transaction each call commits on its own.
 * Also answers a job's status wherever it is (waiting, running, finished, failed).
 */
@Component
public class JobQueue {

    private static final String ENQUEUE = """
            WITH taken AS (
                INSERT INTO job_unique_keys (queue, unique_key, job_id)
                SELECT :queue, CAST(:uniqueKey AS text), :id
                WHERE CAST(:uniqueKey AS text) IS NOT NULL
                ON CONFLICT (queue, unique_key) DO NOTHING
                RETURNING job_id
            )
            INSERT INTO job_queue (id, queue, priority, run_at, payload, unique_key, max_attempts, recurring)
            SELECT :id, :queue, :priority, COALESCE(CAST(:runAt AS timestamptz), now()), CAST(:payload AS jsonb),
                   CAST(:uniqueKey AS text), :maxAttempts, CAST(:recurring AS text)
            WHERE CAST(:uniqueKey AS text) IS NULL OR EXISTS (SELECT 1 FROM taken)
            RETURNING id
            """;

    private static final String KEY_OWNER = """
            SELECT job_id FROM job_unique_keys WHERE queue = :queue AND unique_key = :uniqueKey
            """;

    private static final String BACKLOG = """
            SELECT count(*) FROM (SELECT 1 FROM job_queue WHERE run_at <= now() LIMIT :cap) AS due
            """;

    private static final String STATUS = """
            SELECT id, queue, priority, unique_key, attempts, max_attempts, last_error, run_at, created_at,
                   CASE WHEN lease_until > now() THEN 'running'
                        WHEN run_at > now() AND attempts > 0 THEN 'retrying'
                        WHEN run_at > now() THEN 'scheduled'
                        ELSE 'queued' END AS state,
                   NULL::timestamptz AS finished_at
            FROM job_queue WHERE id = :id
            UNION ALL
            SELECT id, queue, priority, unique_key, attempts, attempts, NULL, run_at, created_at, 'succeeded', finished_at
            FROM finished_jobs WHERE id = :id
            UNION ALL
            SELECT id, queue, priority, unique_key, attempts, max_attempts, last_error, run_at, created_at, 'failed',
                   failed_at
            FROM failed_jobs WHERE id = :id
            """;

    private static final String FAILED = """
            SELECT id, queue, priority, payload::text AS payload, unique_key, attempts, max_attempts, last_error,
                   run_at, created_at, recurring, failed_at
            FROM failed_jobs
            WHERE (CAST(:queue AS text) IS NULL OR queue = :queue)
            ORDER BY failed_at DESC, id
            LIMIT :limit
            """;

    private static final String RETRY_FAILED = """
            WITH back AS (
                DELETE FROM failed_jobs WHERE id = :id
                RETURNING id, queue, priority, payload, unique_key, max_attempts, created_at, recurring
            )
            INSERT INTO job_queue (id, queue, priority, run_at, payload, unique_key, attempts, max_attempts,
                                   created_at, recurring)
            SELECT id, queue, priority, now(), payload, unique_key, 0, max_attempts, created_at, recurring FROM back
            """;

    // A job whose last attempt was claimed by a worker that then stopped (its lease ran out unsettled).
    private static final String FAIL_ABANDONED = """
            WITH gone AS (
                DELETE FROM job_queue
                WHERE id IN (SELECT id FROM job_queue
                             WHERE attempts >= max_attempts AND lease_until < now()
                             LIMIT 100
                             FOR UPDATE SKIP LOCKED)
                RETURNING id, queue, priority, payload, unique_key, attempts, max_attempts, run_at, created_at,
                          recurring, lease_owner, lease_until
            )
            INSERT INTO failed_jobs (id, queue, priority, payload, unique_key, attempts, max_attempts, last_error,
                                     run_at, created_at, recurring)
            SELECT id, queue, priority, payload, unique_key, attempts, max_attempts,
                   'the worker ' || coalesce(lease_owner, '') || ' running its last attempt stopped before it '
                       || 'ended (lease ran out at ' || lease_until || ')',
                   run_at, created_at, recurring
            FROM gone
            RETURNING id, queue, unique_key, last_error
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper json;
    private final JobsProperties properties;
    private final JobWakeScheduler wake;
    private final ApplicationEventPublisher events;

    public JobQueue(NamedParameterJdbcTemplate jdbc, ObjectMapper json, JobsProperties properties,
                    JobWakeScheduler wake, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.json = json;
        this.properties = properties;
        this.wake = wake;
        this.events = events;
    }

    /** Enqueues one job; see the class comment for transactions and {@link NewJob#uniqueKey()} for dedupe. */
    @Transactional
    public EnqueuedJob enqueue(NewJob job) {
        return enqueue(job, null);
    }

    /** Enqueues several jobs in one transaction; one invalid job enqueues none of them. */
    @Transactional
    public List<EnqueuedJob> enqueueAll(List<NewJob> jobs) {
        List<String> payloads = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            payloads.add(check(jobs.get(i), jobs.size() == 1 ? "" : "jobs[" + i + "]."));
        }
        List<EnqueuedJob> enqueued = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            enqueued.add(insert(jobs.get(i), payloads.get(i), null));
        }
        return enqueued;
    }

    /** Enqueues a job on behalf of a recurring schedule, named in the job's record. */
    EnqueuedJob enqueue(NewJob job, String recurring) {
        return insert(job, check(job, ""), recurring);
    }

    private EnqueuedJob insert(NewJob job, String payload, String recurring) {
        UUID id = UUID.randomUUID();
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("id", id)
                .addValue("queue", job.queue())
                .addValue("priority", job.priority())
                .addValue("runAt", job.runAt() == null ? null : job.runAt().toString())
                .addValue("payload", payload)
                .addValue("uniqueKey", job.uniqueKey())
                .addValue("maxAttempts", job.maxAttempts() == null ? properties.maxAttempts() : job.maxAttempts())
                .addValue("recurring", recurring);
        List<UUID> created = jdbc.queryForList(ENQUEUE, params, UUID.class);
        if (!created.isEmpty()) {
            wakeWorkersAfterCommit();
            return new EnqueuedJob(id, true);
        }
        UUID first = jdbc.queryForObject(KEY_OWNER, params, UUID.class);
        return new EnqueuedJob(first, false);
    }

    private String check(NewJob job, String where) {
        if (job == null) {
            throw new InvalidJobException(where.isEmpty() ? "job" : where.substring(0, where.length() - 1),
                    "must not be null");
        }
        if (job.queue() == null || job.queue().isBlank()) {
            throw new InvalidJobException(where + "queue", "is required");
        }
        if (!NewJob.isValidName(job.queue())) {
            throw new InvalidJobException(where + "queue",
                    "may only hold letters, digits, '.', '_' and '-', up to 200 characters");
        }
        if (job.uniqueKey() != null) {
            if (job.uniqueKey().isBlank()) {
                throw new InvalidJobException(where + "uniqueKey", "must not be blank");
            }
            if (job.uniqueKey().length() > NewJob.MAX_KEY_LENGTH) {
                throw new InvalidJobException(where + "uniqueKey",
                        "is longer than " + NewJob.MAX_KEY_LENGTH + " characters");
            }
            if (job.uniqueKey().indexOf('\0') >= 0) {
                throw new InvalidJobException(where + "uniqueKey", "must not contain NUL characters");
            }
        }
        if (job.maxAttempts() != null && (job.maxAttempts() < 1 || job.maxAttempts() > 1000)) {
            throw new InvalidJobException(where + "maxAttempts", "must be between 1 and 1000");
        }
        JsonNode tree;
        try {
            Object payload = job.payload() == null ? "{}" : job.payload();
            tree = payload instanceof String text ? json.readTree(text) : json.valueToTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidJobException(where + "payload", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(where + "payload", "cannot be written as JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidJobException(where + "payload", "must be a JSON object");
        }
        String text = tree.toString();
        if (text.contains("\\u0000")) {
            throw new InvalidJobException(where + "payload", "must not contain the NUL character (\\u0000)");
        }
        return text;
    }

    private void wakeWorkersAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wake.wake();
                }
            });
        } else {
            wake.wake();
        }
    }

    /** Where a job is: waiting, running, finished or failed; empty for an unknown id (or one purged). */
    public Optional<JobStatus> status(UUID id) {
        List<JobStatus> found = jdbc.query(STATUS, new MapSqlParameterSource("id", id), JobQueue::toStatus);
        return found.stream().findFirst();
    }

    /**
     * Moves jobs whose last attempt never ended (its worker stopped and the lease ran out) to the failed
     * record, with their completion, instead of running them once more than allowed.
     */
    @Transactional
    public int failAbandoned() {
        List<Map<String, Object>> failed = jdbc.queryForList(FAIL_ABANDONED, Map.of());
        for (Map<String, Object> job : failed) {
            String queue = (String) job.get("queue");
            if (!queue.startsWith(JobWorkers.INTERNAL_QUEUE_PREFIX)) {
                events.publishEvent(new WorkCompleted(WorkCompleted.JOB, job.get("id").toString(), queue,
                        (String) job.get("unique_key"), WorkCompleted.DEAD_LETTERED, (String) job.get("last_error"),
                        Instant.now()));
            }
        }
        return failed.size();
    }

    /** The job that holds a unique key of a queue, if any. */
    public Optional<UUID> idForKey(String queue, String uniqueKey) {
        List<UUID> found = jdbc.queryForList(KEY_OWNER,
                new MapSqlParameterSource("queue", queue).addValue("uniqueKey", uniqueKey), UUID.class);
        return found.stream().findFirst();
    }

    /**
     * Due jobs waiting or running, counted up to {@code cap} (a larger backlog answers cap + 1) so the
     * cost stays bounded however long the queue grows.
     */
    public long backlog(long cap) {
        Long count = jdbc.queryForObject(BACKLOG, new MapSqlParameterSource("cap", cap + 1), Long.class);
        return count == null ? 0 : count;
    }

    /** The newest failed jobs, of one queue or (null) of all. */
    public List<FailedJob> failed(String queue, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("queue", queue).addValue("limit", limit);
        return jdbc.query(FAILED, params, (row, n) -> new FailedJob(
                row.getObject("id", UUID.class),
                row.getString("queue"),
                row.getInt("priority"),
                readTree(row.getString("payload")),
                row.getString("unique_key"),
                row.getInt("attempts"),
                row.getInt("max_attempts"),
                row.getString("last_error"),
                instant(row, "run_at"),
                instant(row, "created_at"),
                row.getString("recurring"),
                instant(row, "failed_at")));
    }

    /** Puts a failed job back in its queue with fresh attempts; false when no failed job has that id. */
    @Transactional
    public boolean retryFailed(UUID id) {
        boolean moved = jdbc.update(RETRY_FAILED, new MapSqlParameterSource("id", id)) > 0;
        if (moved) {
            wakeWorkersAfterCommit();
        }
        return moved;
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job payload is not JSON", e);
        }
    }

    private static JobStatus toStatus(ResultSet row, int n) throws SQLException {
        return new JobStatus(
                row.getObject("id", UUID.class),
                row.getString("queue"),
                row.getString("state"),
                row.getInt("priority"),
                row.getString("unique_key"),
                row.getInt("attempts"),
                row.getInt("max_attempts"),
                row.getString("last_error"),
                instant(row, "run_at"),
                instant(row, "created_at"),
                instant(row, "finished_at"));
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
