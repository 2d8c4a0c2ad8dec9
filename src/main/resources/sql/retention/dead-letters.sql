-- Dead-letter ledger entries whose last dead-lettering is past the retention age, replayed or not:
-- they can no longer be listed or replayed through the admin API (the broker's dead-letter
-- destination keeps its copy under the broker's own retention).
WITH purged AS (
    DELETE FROM consumer_dead_letters
    WHERE id = ANY(ARRAY(
        SELECT id
        FROM consumer_dead_letters
        WHERE dead_lettered_at < now() - make_interval(secs => :ageSeconds)
        ORDER BY dead_lettered_at
        LIMIT :batchSize
        FOR UPDATE SKIP LOCKED))
    RETURNING 1
)
SELECT count(*) FROM purged
