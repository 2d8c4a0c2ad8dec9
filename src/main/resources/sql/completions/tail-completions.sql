-- The completions recorded since the last one dispatched. Writers of completions are serialised from
-- insert to commit (see the table's trigger), so seq order is commit order and nothing is skipped.
SELECT seq, kind, work_id, topic, dedupe_key, outcome, detail, completed_at
FROM work_completions
WHERE seq > :#${bean:completionStream.position}
ORDER BY seq
LIMIT 500
