-- Claims the next batch of one relay lane under a lease, in one autocommit statement. The claim itself
-- is the function outbox_claim (db/migration/V8__relay_claim_function.sql), which says what is claimed
-- and why it is written the way it is.
SELECT *
FROM outbox_claim(:#${bean:relayClaim.owner},
                  CAST(:#${bean:relayClaim.lanes} AS integer),
                  CAST(:#${exchangeProperty.outboxLane} AS integer),
                  CAST(:#${bean:relayClaim.pausedTopics} AS text[]),
                  CAST(:#${bean:relayClaim.batchSize} AS integer),
                  CAST(:#${bean:relayClaim.leaseSeconds} AS double precision))
