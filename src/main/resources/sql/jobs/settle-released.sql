-- Gives back jobs that were claimed but not run (their queue's handler went away meanwhile); the
-- attempt is not counted.
UPDATE job_queue j
SET lease_owner = NULL,
    lease_until = NULL,
    attempts = j.attempts - 1
FROM unnest(CAST(:ids AS uuid[]), CAST(:attempts AS integer[])) AS r(id, attempt)
WHERE j.id = r.id
  AND j.lease_owner = :owner
  AND j.attempts = r.attempt
RETURNING j.id
