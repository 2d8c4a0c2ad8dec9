-- Completion records past the retention age: a browser reconnecting with an older Last-Event-ID
-- gets what is left after it.
WITH purged AS (
    DELETE FROM work_completions
    WHERE seq = ANY(ARRAY(
        SELECT seq
        FROM work_completions
        WHERE recorded_at < now() - make_interval(secs => :ageSeconds)
        ORDER BY recorded_at
        LIMIT :batchSize
        FOR UPDATE SKIP LOCKED))
    RETURNING 1
)
SELECT count(*) FROM purged
