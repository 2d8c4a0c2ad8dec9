-- Jobs that failed on their last attempt, or permanently, move to the failed record with their error.
-- Guarded by the claim like a retry.
WITH failed AS (
    SELECT f.id, f.attempt, f.error
    FROM unnest(CAST(:ids AS uuid[]), CAST(:attempts AS integer[]), CAST(:errors AS text[])) AS f(id, attempt, error)
),
gone AS (
    DELETE FROM job_queue j
    USING failed f
    WHERE j.id = f.id
      AND j.lease_owner = :owner
      AND j.attempts = f.attempt
    RETURNING j.id, j.queue, j.priority, j.payload, j.unique_key, j.attempts, j.max_attempts, j.run_at,
              j.created_at, j.recurring, f.error
),
kept AS (
    INSERT INTO failed_jobs (id, queue, priority, payload, unique_key, attempts, max_attempts, last_error,
                             run_at, created_at, recurring)
    SELECT id, queue, priority, payload, unique_key, attempts, max_attempts, error, run_at, created_at, recurring
    FROM gone
)
SELECT id FROM gone
