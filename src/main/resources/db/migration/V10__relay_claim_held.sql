-- The relay's claim no longer writes a lease into each row: it locks the rows (FOR UPDATE SKIP LOCKED)
-- and holds them in the batch's transaction, which also writes the outcome and then commits. Why: the
-- lease was a second new row version per event on top of the one marking it published, and the
-- claim's own commit a second WAL flush per batch. Replaying a 200,000-event drain in psql (claim and
-- mark in batches of 500) took 7.0 s of database CPU with leases and 3.7 s with held claims.
--
-- What a held claim keeps of the lease:
-- * A relay that dies or loses its connection gives its batch back at once: PostgreSQL rolls the
--   transaction back and the rows are free again, where a lease made them wait until it ran out.
-- * A relay that hangs with its connection open gives its batch back after outbox.relay.lease: the
--   claim sets idle_in_transaction_session_timeout for its transaction, so the server ends a session
--   that says nothing for that long (the relay sends while its transaction is idle).
-- * Per-aggregate order across instances: the claim locks the slots it reads FOR KEY SHARE until the
--   batch ends, and a slot only changes hands through SlotLeases' ACQUIRE, which takes FOR UPDATE SKIP
--   LOCKED and so passes over a slot while any batch of its former owner is still open. Renewing or
--   giving back a slot is a plain update, which FOR KEY SHARE lets through, so heartbeats never wait
--   for a batch.
--
-- The claim has a new name, and V8's outbox_claim stays for relays of the earlier version while
-- instances are replaced: rows they lease (lease_until ahead) are left alone until the lease ends and
-- hold their aggregate's later events back, and they skip the rows this claim holds. A later
-- migration drops outbox_claim.
--
-- Everything else is as in V8 (db/migration/V8__relay_claim_function.sql says why it is a PL/pgSQL
-- function with bitmap scans off). New here: JIT is off for the claim itself, not only on the service's
-- connections (spring.datasource.hikari.connection-init-sql), so a pool set up otherwise keeps it off
-- too. The claim's estimated cost grows with the backlog, and past jit_above_cost a server built with
-- JIT compiled it on every call: 190 ms per claim over a 200,000-event backlog against 4 ms to run it.
ALTER FUNCTION outbox_claim(text, integer, integer, text[], integer, double precision) SET jit = off;

CREATE FUNCTION outbox_claim_held(claim_owner text, lanes integer, lane integer, paused_topics text[],
                             batch_size integer, lease_seconds double precision)
    RETURNS TABLE (id uuid, seq bigint, topic text, aggregate_id text, event_type text, payload text,
                   dedupe_key text, schema_version integer, headers text, created_at timestamptz,
                   attempts integer)
    LANGUAGE plpgsql
    VOLATILE
    SET enable_bitmapscan = off
    SET jit = off
AS
$$
#variable_conflict use_column
BEGIN
    PERFORM set_config('idle_in_transaction_session_timeout', (ceil(lease_seconds * 1000))::bigint::text, true);
    RETURN QUERY
    SELECT e.id, e.seq, e.topic, e.aggregate_id, e.event_type, e.payload::text, e.dedupe_key,
           e.schema_version, e.headers::text, e.created_at, e.attempts
    FROM outbox_events e
    WHERE e.published_at IS NULL
      AND e.parked_at IS NULL
      -- an array built once per claim: a join against the slots would be re-run for every row walked
      AND e.slot = ANY(ARRAY(SELECT s.slot
                             FROM relay_slots s
                             WHERE s.owner = claim_owner
                               AND s.lease_until > now()
                               AND s.slot % lanes = lane
                             FOR KEY SHARE))
      -- topics whose broker's circuit is open or that are at their rate limit wait where they are
      AND e.topic <> ALL(paused_topics)
      AND e.available_at <= now()
      AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())
      AND (e.lease_until IS NULL OR e.lease_until < now())
      -- A scalar subquery, not NOT EXISTS: the planner cannot turn it into a join, so it always walks
      -- the claimable rows in seq order, probes each candidate's aggregate by index and stops at the
      -- batch size (V8 says what the anti-join did instead).
      AND (SELECT 1
           FROM outbox_events p
           WHERE p.aggregate_id = e.aggregate_id
             AND p.seq < e.seq
             AND p.published_at IS NULL
             AND p.available_at <= now()
             AND (p.parked_at IS NOT NULL
                  OR p.next_attempt_at > now()
                  OR p.lease_until >= now())
           LIMIT 1) IS NULL
    ORDER BY e.seq
    LIMIT batch_size
    FOR UPDATE OF e SKIP LOCKED;
END;
$$;
