-- Webhook call records past the retention age.
WITH purged AS (
    DELETE FROM webhook_deliveries
    WHERE id = ANY(ARRAY(
        SELECT id
        FROM webhook_deliveries
        WHERE attempted_at < now() - make_interval(secs => :ageSeconds)
        ORDER BY attempted_at
        LIMIT :batchSize
        FOR UPDATE SKIP LOCKED))
    RETURNING 1
)
SELECT count(*) FROM purged
