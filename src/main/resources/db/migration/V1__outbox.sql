-- The transactional outbox and the relay's coordination tables.

CREATE SEQUENCE outbox_events_seq AS bigint;

CREATE TABLE outbox_events (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Commit order within an aggregate (see outbox_events_assign_order below).
    seq             bigint      NOT NULL,
    topic           text        NOT NULL CHECK (topic <> ''),
    aggregate_id    text        NOT NULL CHECK (aggregate_id <> ''),
    event_type      text        NOT NULL CHECK (event_type <> ''),
    payload         jsonb       NOT NULL,
    dedupe_key      text        NOT NULL CHECK (dedupe_key <> ''),
    schema_version  integer     NOT NULL DEFAULT 1 CHECK (schema_version > 0),
    headers         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    available_at    timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    -- Which relay slot the aggregate hashes to; a slot is owned by one relay instance at a time.
    slot            smallint    NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    lease_owner     text,
    lease_until     timestamptz,
    parked_at       timestamptz,
    CONSTRAINT outbox_events_dedupe_key_key UNIQUE (dedupe_key)
) WITH (fillfactor = 80); -- room on the page lets the lease update stay a HOT update

-- The claim walks this in commit order; published and parked rows leave it, so it stays
-- as small as the backlog however many published rows are kept.
CREATE INDEX outbox_events_claimable_idx ON outbox_events (seq)
    WHERE published_at IS NULL AND parked_at IS NULL;

-- Answers "does this aggregate have an earlier event still waiting?" for the order check.
CREATE INDEX outbox_events_aggregate_pending_idx ON outbox_events (aggregate_id, seq)
    WHERE published_at IS NULL;

CREATE TABLE relay_slots (
    slot        smallint    PRIMARY KEY,
    owner       text,
    lease_until timestamptz
);

-- 64 slots: enough to spread the load over 64 relay instances.
INSERT INTO relay_slots (slot) SELECT generate_series(0, 63);

CREATE TABLE relay_instances (
    instance_id text        PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    -- false while the instance's relay route is stopped: it then takes no share of the slots
    active      boolean     NOT NULL DEFAULT true
);

-- Writers of one aggregate are serialised from their first event to commit, so a later
-- transaction always draws a higher seq than an earlier one of the same aggregate. This holds
-- for any producer, including plain SQL from other languages, because it lives in the table.
CREATE FUNCTION outbox_events_assign_order() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    -- two-key form in a space of its own (1869968482 is 'outb'), clear of the application's locks
    PERFORM pg_advisory_xact_lock(1869968482, hashtext(NEW.aggregate_id));
    NEW.seq := nextval('outbox_events_seq');
    NEW.slot := (hashtext(NEW.aggregate_id) & 2147483647) % 64;
    RETURN NEW;
END;
$$;

CREATE TRIGGER outbox_events_assign_order
    BEFORE INSERT ON outbox_events
    FOR EACH ROW EXECUTE FUNCTION outbox_events_assign_order();

-- One notification per writing transaction (PostgreSQL folds duplicates), delivered at commit:
-- the relay wakes as soon as new events are visible instead of waiting for its next poll.
CREATE FUNCTION outbox_events_notify() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('outbox_events', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_events_notify
    AFTER INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify();
