-- Published events past the retention age, oldest first, one bounded batch per statement.
-- Waiting, leased and parked events have no published_at and never qualify, whatever their age.
-- Rows another transaction holds are skipped, so the purge neither waits for nor holds up the relay.
-- Once its row is gone, an event's dedupe key no longer makes a repeated write a no-op.
WITH purged AS (
    DELETE FROM outbox_events
    WHERE ctid = ANY(ARRAY(
        SELECT ctid
        FROM outbox_events
        WHERE published_at < now() - make_interval(secs => :ageSeconds)
        ORDER BY published_at
        LIMIT :batchSize
        FOR UPDATE SKIP LOCKED))
    RETURNING 1
)
SELECT count(*) FROM purged
