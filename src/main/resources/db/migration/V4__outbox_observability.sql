-- Lets the metrics count parked events per topic without reading the table: parked rows are few.
CREATE INDEX outbox_events_parked_idx ON outbox_events (topic)
    WHERE parked_at IS NOT NULL AND published_at IS NULL;
