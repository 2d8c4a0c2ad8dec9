-- The claim's order check probes an index of the events that hold their aggregate back, instead of an
-- index of every unpublished event.
--
-- The check (the scalar subquery in outbox_claim_held, V10, and in V8's outbox_claim) asks, for each
-- candidate, whether an earlier event of its aggregate is due but cannot go now: parked, backing off
-- (next_attempt_at ahead) or leased by a relay of the version before V10. Only such an event answers
-- yes, and every one of them has parked_at, next_attempt_at or lease_until set, so an index over those
-- rows alone answers the same question. In a healthy outbox it holds the parked events and the few that
-- are backing off, so each probe reads its root page and finds nothing, where it used to descend an
-- index with an entry for every event of the backlog.
--
-- Replaying a 200,000-event drain in psql (claim and mark in batches of 500, PostgreSQL 15) took the
-- claims 1.6 to 1.7 s with the old index and 0.8 to 0.95 s with this one. The old index also cost every
-- producer's insert an entry; nothing else reads it, so it goes.
--
-- Planner: the probe's condition (parked_at IS NOT NULL OR next_attempt_at > now() OR lease_until >=
-- now()) implies this predicate, since a comparison with NULL is never true, so the probe can use the
-- index, and with the old one gone no other index leads with aggregate_id (ClaimCostTest checks that
-- the probe scans it).
CREATE INDEX outbox_events_holding_back_idx ON outbox_events (aggregate_id, seq)
    WHERE published_at IS NULL
      AND (parked_at IS NOT NULL OR next_attempt_at IS NOT NULL OR lease_until IS NOT NULL);

DROP INDEX outbox_events_aggregate_pending_idx;
