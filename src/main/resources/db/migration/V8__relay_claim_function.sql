-- The relay's claim as a function, for one reason: its probe of each candidate's aggregate must be a
-- plain index scan. A plain index scan marks the index entries of published rows dead as it passes
-- them; the bitmap scan the planner prefers for it visits every earlier published event of the
-- aggregate again on every probe, so each claim got slower as a backlog drained (measured over a
-- 100,000-event drain: 62 against 25 us of database CPU per claimed event). A function can carry that
-- planner setting for its own statement and nothing else. PL/pgSQL, not SQL: it keeps the statement's
-- plan for the connection's next calls, where an SQL function plans it again on every call.
-- sql/claim-batch.sql calls it.
--
-- Only slots this instance owns and this lane serves are read (slot % lanes = lane), and their rows
-- are held FOR SHARE while the claim runs, so a slot handed to another instance cannot be claimed by
-- both at once.
-- An event is skipped while an earlier event of its aggregate is due but cannot go now
-- (leased, backing off or parked): that keeps per-aggregate order across instances and retries.
-- An event whose available_at lies ahead holds nothing back: it takes its place once it is due.
CREATE FUNCTION outbox_claim(claim_owner text, lanes integer, lane integer, paused_topics text[],
                             batch_size integer, lease_seconds double precision)
    RETURNS TABLE (id uuid, seq bigint, topic text, aggregate_id text, event_type text, payload text,
                   dedupe_key text, schema_version integer, headers text, created_at timestamptz,
                   attempts integer)
    LANGUAGE plpgsql
    VOLATILE
    SET enable_bitmapscan = off
AS
$$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH owned AS (
    SELECT s.slot
    FROM relay_slots s
    WHERE s.owner = claim_owner
      AND s.lease_until > now()
      AND s.slot % lanes = lane
    FOR SHARE
),
picked AS (
    -- the row's physical address: the update below finds each locked row without an index probe
    SELECT e.ctid AS row_address
    FROM outbox_events e
    WHERE e.published_at IS NULL
      AND e.parked_at IS NULL
      -- an array built once per claim: a join against the slots would be re-run for every row walked
      AND e.slot = ANY(ARRAY(SELECT o.slot FROM owned o))
      -- topics whose broker's circuit is open or that are at their rate limit wait where they are
      AND e.topic <> ALL(paused_topics)
      AND e.available_at <= now()
      AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())
      AND (e.lease_until IS NULL OR e.lease_until < now())
      -- A scalar subquery, not NOT EXISTS: the planner cannot turn it into a join, so it always walks
      -- the claimable rows in seq order, probes each candidate's aggregate by index and stops at the
      -- batch size. As an anti-join it chose by estimate between that and hashing (or materialising a
      -- scan of) the whole table, which took seconds per claim over a large backlog.
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
    FOR UPDATE OF e SKIP LOCKED
)
UPDATE outbox_events o
SET lease_owner = claim_owner,
    lease_until = now() + make_interval(secs => lease_seconds)
FROM picked
WHERE o.ctid = picked.row_address
RETURNING o.id, o.seq, o.topic, o.aggregate_id, o.event_type, o.payload::text, o.dedupe_key,
          o.schema_version, o.headers::text, o.created_at, o.attempts;
END;
$$;
