-- A failed run with attempts left: the job is due again after its backoff (worked out per run, with
-- jitter, from outbox.jobs.backoff). Guarded by the claim (owner and attempt), so a worker whose lease
-- ran out cannot overwrite a newer claim of the same job.
UPDATE job_queue
SET run_at = now() + make_interval(secs => :#${exchangeProperty.outboxJob.retryDelaySeconds}),
    last_error = :#${exchangeProperty.outboxJob.error},
    lease_owner = NULL,
    lease_until = NULL
WHERE id = :#${exchangeProperty.outboxJob.id}
  AND lease_owner = :#${exchangeProperty.outboxJob.owner}
  AND attempts = :#${exchangeProperty.outboxJob.attempt}
