-- Claims the next batch of one relay lane: locks up to batch-size due events and holds them until the
-- batch's transaction (the relay route's relayTransaction policy) writes their outcome and commits.
-- The claim itself is the function outbox_claim_held (db/migration/V10__relay_claim_held.sql), which
-- says what is claimed and why it is written the way it is.
SELECT *
FROM outbox_claim_held(:#${bean:relayClaim.owner},
                       CAST(:#${bean:relayClaim.lanes} AS integer),
                       CAST(:#${exchangeProperty.outboxLane} AS integer),
                       CAST(:#${bean:relayClaim.pausedTopics} AS text[]),
                       CAST(:#${bean:relayClaim.batchSize} AS integer),
                       CAST(:#${bean:relayClaim.leaseSeconds} AS double precision))
