-- Failed-job records past the retention age, with the unique keys they held. A purged failed job can
-- no longer be run again through the admin API.
WITH purged AS (
    DELETE FROM failed_jobs
    WHERE id = ANY(ARRAY(
        SELECT id
        FROM failed_jobs
        WHERE failed_at < now() - make_interval(secs => :ageSeconds)
        ORDER BY failed_at
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
