-- Keeps the leases of the jobs this instance is running alive, so a long job is not run a second
-- time elsewhere; a dead instance stops renewing and its jobs become claimable when the lease ends.
UPDATE job_queue
SET lease_until = now() + make_interval(secs => :#${bean:jobWorkers.leaseSeconds})
WHERE id = ANY(:#${bean:jobWorkers.runningIds})
  AND lease_owner = :#${bean:jobWorkers.owner}
