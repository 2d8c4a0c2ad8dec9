-- Claims the next batch of one relay lane under a lease, in one autocommit statement.
-- Only slots this instance owns and this lane serves are read (slot % lanes = lane), and their rows
-- are held FOR SHARE while the claim runs, so a slot handed to another instance cannot be claimed by
-- both at once.
-- An event is skipped while an earlier event of its aggregate is due but cannot go now
-- (leased, backing off or parked): that keeps per-aggregate order across instances and retries.
-- An event whose available_at lies ahead holds nothing back: it takes its place once it is due.
WITH owned AS (
    SELECT s.slot
    FROM relay_slots s
    WHERE s.owner = :#${bean:relayClaim.owner}
      AND s.lease_until > now()
      AND s.slot % CAST(:#${bean:relayClaim.lanes} AS integer) = CAST(:#${exchangeProperty.outboxLane} AS integer)
    FOR SHARE
),
picked AS (
    SELECT e.id
    FROM outbox_events e
    WHERE e.published_at IS NULL
      AND e.parked_at IS NULL
      -- an array built once per claim: a join against the slots would be re-run for every row walked
      AND e.slot = ANY(ARRAY(SELECT o.slot FROM owned o))
      -- topics whose broker's circuit is open or that are at their rate limit wait where they are
      AND e.topic <> ALL(CAST(:#${bean:relayClaim.pausedTopics} AS text[]))
      AND e.available_at <= now()
      AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())
      AND (e.lease_until IS NULL OR e.lease_until < now())
      -- A scalar subquery, not NOT EXISTS: the planner cannot turn it into a join, so it always walks
      -- the claimable rows in seq order, probes each candidate's aggregate by index and stops at the
      -- batch size. As an anti-join it chose by estimate between that and hashing (or materialising a
      -- scan of) the whole table, which took seconds per claim over a large backlog. The ORDER BY makes
      -- the probe a plain index scan, which marks the entries of published rows dead as it passes them;
      -- a bitmap scan visits them again on every probe, so claims slowed down as a backlog drained.
      AND (SELECT 1
           FROM outbox_events p
           WHERE p.aggregate_id = e.aggregate_id
             AND p.seq < e.seq
             AND p.published_at IS NULL
             AND p.available_at <= now()
             AND (p.parked_at IS NOT NULL
                  OR p.next_attempt_at > now()
                  OR p.lease_until >= now())
           ORDER BY p.seq
           LIMIT 1) IS NULL
    ORDER BY e.seq
    LIMIT :#${bean:relayClaim.batchSize}
    FOR UPDATE OF e SKIP LOCKED
)
UPDATE outbox_events o
SET lease_owner = :#${bean:relayClaim.owner},
    lease_until = now() + make_interval(secs => :#${bean:relayClaim.leaseSeconds})
FROM picked
WHERE o.id = picked.id
RETURNING o.id, o.seq, o.topic, o.aggregate_id, o.event_type, o.payload::text AS payload, o.dedupe_key,
          o.schema_version, o.headers::text AS headers, o.created_at, o.attempts
