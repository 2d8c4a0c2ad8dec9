-- The workers' tables: processed keys of the idempotent consumer, the dead-letter ledger, and Kafka
-- events held until their due time.

-- One row per consumer and dedupe key, inserted in the same transaction as the handler's writes.
CREATE TABLE consumer_processed_keys (
    consumer     text        NOT NULL,
    dedupe_key   text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, dedupe_key)
);

-- For the retention purge of old keys.
CREATE INDEX consumer_processed_keys_processed_at_idx ON consumer_processed_keys (processed_at);

-- Every event a consumer gave up on, as sent to the broker's dead-letter destination: listed,
-- inspected and replayed through /admin/dead-letters. A replayed event that fails again updates its row.
CREATE TABLE consumer_dead_letters (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    consumer         text        NOT NULL,
    broker           text        NOT NULL,
    -- the Kafka topic, SQS queue or RabbitMQ queue the event was read from, and is replayed to
    source           text        NOT NULL,
    topic            text        NOT NULL,
    event_id         text,
    event_type       text        NOT NULL,
    aggregate_id     text,
    dedupe_key       text        NOT NULL,
    schema_version   integer     NOT NULL,
    headers          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    payload          text        NOT NULL,
    error            text        NOT NULL,
    attempts         integer     NOT NULL,
    created_at       timestamptz,
    first_failed_at  timestamptz NOT NULL,
    dead_lettered_at timestamptz NOT NULL DEFAULT now(),
    replay_count     integer     NOT NULL DEFAULT 0,
    replayed_at      timestamptz,
    CONSTRAINT consumer_dead_letters_key UNIQUE (consumer, dedupe_key)
);

CREATE INDEX consumer_dead_letters_waiting_idx ON consumer_dead_letters (dead_lettered_at)
    WHERE replayed_at IS NULL;
CREATE INDEX consumer_dead_letters_topic_idx ON consumer_dead_letters (topic, dead_lettered_at);

-- Kafka records whose outbox-due-at lies ahead: their offsets are committed once they are stored here,
-- so no partition waits for them; a poller hands them to the consumer when due, under a lease.
CREATE TABLE consumer_deferred_events (
    consumer       text        NOT NULL,
    dedupe_key     text        NOT NULL,
    due_at         timestamptz NOT NULL,
    source         text        NOT NULL,
    topic          text        NOT NULL,
    event_id       text,
    event_type     text        NOT NULL,
    aggregate_id   text,
    schema_version integer     NOT NULL,
    headers        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    payload        text        NOT NULL,
    created_at     timestamptz,
    lease_until    timestamptz,
    PRIMARY KEY (consumer, dedupe_key)
);

CREATE INDEX consumer_deferred_events_due_idx ON consumer_deferred_events (due_at);
