-- The PostgreSQL job queue, completion records for push (server-sent events, webhooks), webhook
-- delivery records, and the reference application's users table.

-- Jobs waiting or running. A worker claims a job by setting a lease (lease_owner, lease_until) and
-- counting the attempt; a finished job leaves this table for finished_jobs, a job that used its
-- attempts for failed_jobs. A job whose worker died is claimed again once its lease has run out.
CREATE TABLE job_queue (
    id           uuid        PRIMARY KEY,
    queue        text        NOT NULL CHECK (queue <> ''),
    -- higher runs first; among equal priorities the earlier run_at
    priority     integer     NOT NULL DEFAULT 0,
    -- not run before this instant: delayed, scheduled and backed-off jobs
    run_at       timestamptz NOT NULL DEFAULT now(),
    payload      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    unique_key   text,
    -- claims so far; a claim counts even if its worker dies, so a job that kills its worker cannot loop forever
    attempts     integer     NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    lease_owner  text,
    lease_until  timestamptz,
    -- the recurring schedule that enqueued the job, if any
    recurring    text
) WITH (fillfactor = 80); -- room on the page keeps the lease update a HOT update

-- The claim walks this in claim order and stops after its batch; it filters run_at and queue.
CREATE INDEX job_queue_claim_idx ON job_queue (priority DESC, run_at, id);

-- Unique jobs: a key belongs to one job of a queue, from enqueue until the job's records are purged,
-- so enqueueing the same key again (a retried request, a second scheduler instance) is a no-op that
-- answers the first job's id. Kept apart from job_queue because the job moves between tables.
CREATE TABLE job_unique_keys (
    queue      text        NOT NULL,
    unique_key text        NOT NULL CHECK (unique_key <> ''),
    job_id     uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (queue, unique_key)
);

CREATE TABLE finished_jobs (
    id          uuid        PRIMARY KEY,
    queue       text        NOT NULL,
    priority    integer     NOT NULL,
    unique_key  text,
    attempts    integer     NOT NULL,
    run_at      timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX finished_jobs_finished_at_idx ON finished_jobs (finished_at);

-- The failed-jobs record: everything needed to understand the failure and to run the job again.
CREATE TABLE failed_jobs (
    id           uuid        PRIMARY KEY,
    queue        text        NOT NULL,
    priority     integer     NOT NULL,
    payload      jsonb       NOT NULL,
    unique_key   text,
    attempts     integer     NOT NULL,
    max_attempts integer     NOT NULL,
    last_error   text        NOT NULL,
    run_at       timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    recurring    text,
    failed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX failed_jobs_failed_at_idx ON failed_jobs (failed_at);

-- Recurring jobs: each row enqueues one job per occurrence of its cron expression. The scheduler
-- takes due rows FOR UPDATE SKIP LOCKED and the job's unique key names the occurrence, so several
-- instances never enqueue one occurrence twice.
CREATE TABLE recurring_jobs (
    name         text        PRIMARY KEY,
    cron         text        NOT NULL,
    zone         text        NOT NULL DEFAULT 'UTC',
    queue        text        NOT NULL,
    priority     integer     NOT NULL DEFAULT 0,
    payload      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    max_attempts integer     NOT NULL,
    next_run_at  timestamptz NOT NULL,
    last_run_at  timestamptz,
    -- 'config' rows follow outbox.jobs.recurring and are removed with it; 'api' rows until unscheduled
    source       text        NOT NULL CHECK (source IN ('config', 'api')),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX recurring_jobs_due_idx ON recurring_jobs (next_run_at);

-- Completed work (an event handled, a job run), recorded for completion push. seq is the
-- server-sent event id, so a reconnecting browser asks for everything after the last one it saw.
CREATE SEQUENCE work_completions_seq AS bigint;

CREATE TABLE work_completions (
    seq          bigint      PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('event', 'job')),
    work_id      text        NOT NULL,
    topic        text        NOT NULL,
    dedupe_key   text,
    outcome      text        NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'dead-lettered')),
    detail       text,
    completed_at timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX work_completions_work_idx ON work_completions (work_id, seq);

-- Writers of completions are serialised from their insert to commit, so seq order is commit order:
-- a reader that has seen seq n has seen every committed completion below n, and can follow the table
-- with "seq > last" without ever skipping a row that committed late.
CREATE FUNCTION work_completions_assign_seq() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    -- two-key form in a space of its own (1668116588 is 'cmpl'), clear of the outbox's 'outb' locks
    PERFORM pg_advisory_xact_lock(1668116588, 0);
    NEW.seq := nextval('work_completions_seq');
    RETURN NEW;
END;
$$;

CREATE TRIGGER work_completions_assign_seq
    BEFORE INSERT ON work_completions
    FOR EACH ROW EXECUTE FUNCTION work_completions_assign_seq();

-- Every webhook call, successful or not: what was sent where, what came back, how long it took.
CREATE TABLE webhook_deliveries (
    id             bigserial   PRIMARY KEY,
    job_id         uuid        NOT NULL,
    subscription   text        NOT NULL,
    url            text        NOT NULL,
    completion_seq bigint      NOT NULL,
    attempt        integer     NOT NULL,
    succeeded      boolean     NOT NULL,
    status_code    integer,
    error          text,
    duration_ms    integer     NOT NULL,
    attempted_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_deliveries_completion_idx ON webhook_deliveries (completion_seq);
CREATE INDEX webhook_deliveries_attempted_at_idx ON webhook_deliveries (attempted_at);

-- The reference application behind POST /api/users (outbox.intake.reference-users.enabled): a user row
-- written together with its user.created event, and the time its welcome notification went out.
CREATE TABLE reference_users (
    id          uuid        PRIMARY KEY,
    email       text        NOT NULL UNIQUE,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    welcomed_at timestamptz
);
