-- Processed keys of idempotent consumers past the retention age. A delivery of the same event after
-- its key is gone runs the handler again: the age must outlast the brokers' redelivery window.
-- Keys a consumer's open transaction holds are skipped.
WITH purged AS (
    DELETE FROM consumer_processed_keys
    WHERE ctid = ANY(ARRAY(
        SELECT ctid
        FROM consumer_processed_keys
        WHERE processed_at < now() - make_interval(secs => :ageSeconds)
        ORDER BY processed_at
        LIMIT :batchSize
        FOR UPDATE SKIP LOCKED))
    RETURNING 1
)
SELECT count(*) FROM purged
