-- A job that failed on its last attempt, or permanently, moves to the failed record with its error.
-- Guarded by the claim like a retry.
WITH gone AS (
    DELETE FROM job_queue
    WHERE id = :#${exchangeProperty.outboxJob.id}
      AND lease_owner = :#${exchangeProperty.outboxJob.owner}
      AND attempts = :#${exchangeProperty.outboxJob.attempt}
    RETURNING id, queue, priority, payload, unique_key, attempts, max_attempts, run_at, created_at, recurring
)
INSERT INTO failed_jobs (id, queue, priority, payload, unique_key, attempts, max_attempts, last_error, run_at,
                         created_at, recurring)
SELECT id, queue, priority, payload, unique_key, attempts, max_attempts,
       :#${exchangeProperty.outboxJob.error}, run_at, created_at, recurring
FROM gone
