-- Records failed publishes: one more attempt, the error, and the next attempt time from an
-- exponential backoff with +-20% jitter. A rejected event (the broker or the relay refused this
-- event itself) is parked once it has used its attempts; an unreachable broker never parks events.
-- Runs in the batch's transaction, which holds these rows.
UPDATE outbox_events o
SET attempts = o.attempts + 1,
    last_error = f.error,
    next_attempt_at = now() + make_interval(secs =>
        least(:#${bean:relayClaim.backoffMaxSeconds},
              :#${bean:relayClaim.backoffInitialSeconds} * power(:#${bean:relayClaim.backoffMultiplier}, o.attempts))
        * (0.8 + random() * 0.4)),
    parked_at = CASE WHEN f.rejected AND o.attempts + 1 >= :#${bean:relayClaim.maxAttempts} THEN now() END
FROM unnest(CAST(:#${exchangeProperty.outboxSettlement.failedIds} AS uuid[]),
            CAST(:#${exchangeProperty.outboxSettlement.failedErrors} AS text[]),
            CAST(:#${exchangeProperty.outboxSettlement.failedRejected} AS boolean[])) AS f(id, error, rejected)
WHERE o.id = f.id
