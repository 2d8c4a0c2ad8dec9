-- Indexes for the retention purge (routes/retention.camel.yaml): each purge statement reads its
-- oldest rows in index order and stops after one batch, however large the table. Processed keys,
-- finished and failed jobs and webhook deliveries already have theirs (V2, V3).

-- Only published rows enter it: the backlog never does, and the relay's claim never reads it.
CREATE INDEX outbox_events_published_at_idx ON outbox_events (published_at)
    WHERE published_at IS NOT NULL;

-- The existing dead-letter indexes cover waiting letters only, or lead with the topic.
CREATE INDEX consumer_dead_letters_dead_lettered_at_idx ON consumer_dead_letters (dead_lettered_at);

CREATE INDEX work_completions_recorded_at_idx ON work_completions (recorded_at);
