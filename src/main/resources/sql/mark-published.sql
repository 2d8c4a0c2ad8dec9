-- Marks the events the broker acknowledged. Not guarded by the lease: the event did reach the
-- broker, whoever holds the row now.
UPDATE outbox_events
SET published_at = now(),
    lease_owner = NULL,
    lease_until = NULL,
    next_attempt_at = NULL,
    last_error = NULL
WHERE id = ANY(:#${exchangeProperty.outboxSettlement.publishedIds})
  AND published_at IS NULL
