-- Puts back events that were not sent because their topic is at its rate limit: no attempt is
-- counted, they only wait until the limit lets them through.
UPDATE outbox_events o
SET next_attempt_at = now() + make_interval(secs => d.wait_millis / 1000.0)
FROM unnest(CAST(:#${exchangeProperty.outboxSettlement.deferredIds} AS uuid[]),
            CAST(:#${exchangeProperty.outboxSettlement.deferMillis} AS bigint[])) AS d(id, wait_millis)
WHERE o.id = d.id
