-- Jobs that ran to the end leave the queue for the finished record. Not guarded by the claim: the job
-- did run to the end, whoever holds the row now (a second run of it then finds nothing to settle).
WITH done AS (
    DELETE FROM job_queue
    WHERE id = ANY(CAST(:ids AS uuid[]))
    RETURNING id, queue, priority, unique_key, attempts, run_at, created_at
),
kept AS (
    INSERT INTO finished_jobs (id, queue, priority, unique_key, attempts, run_at, created_at)
    SELECT id, queue, priority, unique_key, attempts, run_at, created_at FROM done
)
SELECT id FROM done
