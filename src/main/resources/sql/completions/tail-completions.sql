-- The completions recorded since the last one dispatched. Writers of completions are serialised from
-- insert to commit (see the table's trigger), so seq order is commit order and nothing is skipped.
-- With no stream open there is no one to send them to: the statement reads nothing, and the next
-- stream to open starts from the newest completion (CompletionStream.subscribe).
SELECT seq, kind, work_id, topic, dedupe_key, outcome, detail, completed_at
FROM work_completions
WHERE seq > :#${bean:completionStream.position}
  AND :#${bean:completionStream.listening}
ORDER BY seq
LIMIT 500
