-- Claims the next due jobs of the queues this instance has handlers for, in one autocommit statement:
-- highest priority first, then earliest run_at. A claim is a lease, not a delete: the job stays in
-- the table, so a worker that dies mid-run loses nothing; its lease runs out and another worker
-- runs the job. The claim counts the attempt, so a job that kills its worker cannot loop forever: a
-- job whose last attempt's lease ran out is not claimed again but moved to the failed record
-- (JobQueue.failAbandoned).
-- The update finds the picked rows by ctid, not by id: the rows stay locked from the pick to the update,
-- so their ctid cannot change in between, and a TID lookup saves an index descent per row (about 40 %
-- of claim-and-settle time for batches of 500). Should a row have moved anyway, it is not claimed by
-- this statement and waits for the next one.
WITH picked AS (
    SELECT j.ctid
    FROM job_queue j
    WHERE j.queue = ANY(CAST(:#${bean:jobWorkers.queues} AS text[]))
      AND j.run_at <= now()
      AND j.attempts < j.max_attempts
      AND (j.lease_until IS NULL OR j.lease_until < now())
    ORDER BY j.priority DESC, j.run_at, j.id
    LIMIT :#${bean:jobWorkers.batchSize}
    FOR UPDATE SKIP LOCKED
)
UPDATE job_queue j
SET lease_owner = :#${bean:jobWorkers.owner},
    lease_until = now() + make_interval(secs => :#${bean:jobWorkers.leaseSeconds}),
    attempts = j.attempts + 1
FROM picked
WHERE j.ctid = picked.ctid
RETURNING j.id, j.queue, j.priority, j.run_at, j.payload::text AS payload, j.unique_key, j.attempts,
          j.max_attempts, j.created_at
