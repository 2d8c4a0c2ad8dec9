-- Finished-job records past the retention age, with the unique keys they held: enqueueing such a key
-- again then creates a new job.
WITH purged AS (
    DELETE FROM finished_jobs
    WHERE id = ANY(ARRAY(
        SELECT id
        FROM finished_jobs
        WHERE finished_at < now() - make_interval(secs => :ageSeconds)
        ORDER BY finished_at
        LIMIT :batchSize
        FOR UPDATE SKIP LOCKED))
    RETURNING id, queue, unique_key
),
released AS (
    DELETE FROM job_unique_keys k
    USING purged p
    WHERE p.unique_key IS NOT NULL
      AND k.queue = p.queue
      AND k.unique_key = p.unique_key
      AND k.job_id = p.id
)
SELECT count(*) FROM purged
