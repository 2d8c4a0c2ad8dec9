-- At most one writing statement per millisecond sends the wake-up NOTIFY; the others leave it out.
--
-- Why: a transaction that sent a NOTIFY takes one lock for the whole database at commit and holds it
-- through the commit's WAL flush, so every such commit waits for the one before it, flush included.
-- With a NOTIFY from every writer, writers of one event per transaction stopped at about 4,000
-- commits per second on the 2-core benchmark machine (the pipeline scenario), waiting on that lock;
-- without the trigger the same writers reached 7,000.
--
-- What a writer that left it out relies on: the notifying commits of the writers after it, which
-- under load come every millisecond, and, when none follow, the relay's tail polls: after every
-- wake-up it polls again at growing intervals from 5 ms for about a second (WakeablePollScheduler).
-- A transaction that commits later than that after the last wake-up waits for the next wake-up or
-- outbox.relay.poll-interval. Nothing is ever lost: the poll finds every committed event.
--
-- The millisecond of the last notifying statement (when it started) is kept in a sequence: a sequence
-- is read and set outside the writer's transaction, so every writer sees the latest value at once and
-- no writer waits for another. Two writers in the same millisecond may both notify, and a clock that
-- steps back costs a notification at most; PostgreSQL folds a transaction's identical notifications
-- into one.
CREATE SEQUENCE outbox_notify_clock MINVALUE 0 START 0;

CREATE OR REPLACE FUNCTION outbox_events_notify() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    now_ms bigint := floor(extract(epoch FROM statement_timestamp()) * 1000);
BEGIN
    IF now_ms <> (SELECT last_value FROM outbox_notify_clock) THEN
        PERFORM setval('outbox_notify_clock', now_ms);
        PERFORM pg_notify('outbox_events', '');
    END IF;
    RETURN NULL;
END;
$$;
