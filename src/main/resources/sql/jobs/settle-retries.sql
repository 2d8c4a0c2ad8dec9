-- Failed runs with attempts left: each job is due again after its backoff (worked out per run, with
-- jitter, from outbox.jobs.backoff). Guarded by the claim (owner and attempt), so a worker whose lease
-- ran out cannot overwrite a newer claim of the same job.
UPDATE job_queue j
SET run_at = now() + make_interval(secs => r.delay_seconds),
    last_error = r.error,
    lease_owner = NULL,
    lease_until = NULL
FROM unnest(CAST(:ids AS uuid[]), CAST(:attempts AS integer[]), CAST(:delays AS double precision[]),
            CAST(:errors AS text[])) AS r(id, attempt, delay_seconds, error)
WHERE j.id = r.id
  AND j.lease_owner = :owner
  AND j.attempts = r.attempt
RETURNING j.id
