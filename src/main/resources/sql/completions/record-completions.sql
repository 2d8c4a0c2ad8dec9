-- Records many completions in one statement (a settled batch of jobs). The rows are inserted in the
-- order given and the seq trigger numbers each row as it is inserted, so seq follows that order.
INSERT INTO work_completions (kind, work_id, topic, dedupe_key, outcome, detail, completed_at)
SELECT c.kind, c.work_id, c.topic, c.dedupe_key, c.outcome, c.detail, c.completed_at
FROM unnest(CAST(:kinds AS text[]), CAST(:ids AS text[]), CAST(:topics AS text[]), CAST(:dedupeKeys AS text[]),
            CAST(:outcomes AS text[]), CAST(:details AS text[]), CAST(:completedAt AS timestamptz[]))
         WITH ORDINALITY AS c(kind, work_id, topic, dedupe_key, outcome, detail, completed_at, n)
ORDER BY c.n
RETURNING seq
