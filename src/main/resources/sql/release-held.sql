-- Gives back events that were not sent because an earlier event of their aggregate failed in the
-- same batch. They have not been tried, so no attempt is counted.
UPDATE outbox_events
SET lease_owner = NULL,
    lease_until = NULL
WHERE id = ANY(:#${exchangeProperty.outboxSettlement.heldIds})
  AND lease_owner = :#${bean:relayClaim.owner}
