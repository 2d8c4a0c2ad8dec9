-- Marks the events the broker acknowledged, in the batch's transaction that holds them.
UPDATE outbox_events
SET published_at = now(),
    next_attempt_at = NULL,
    last_error = NULL
WHERE id = ANY(:#${exchangeProperty.outboxSettlement.publishedIds})
  AND published_at IS NULL
