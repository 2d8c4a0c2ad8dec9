-- Gives back a job that was claimed but not run (its queue's handler went away meanwhile); the attempt
-- is not counted.
UPDATE job_queue
SET lease_owner = NULL,
    lease_until = NULL,
    attempts = attempts - 1
WHERE id = :#${exchangeProperty.outboxJob.id}
  AND lease_owner = :#${exchangeProperty.outboxJob.owner}
  AND attempts = :#${exchangeProperty.outboxJob.attempt}
