package dev.outboxrelay.completion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.NewJob;

/**
 * Records every {@link WorkCompleted} in {@code work_completions} and enqueues a webhook delivery
 * job per matching subscription, in one transaction. Published inside the worker's own transaction
 * (as the job workers do), the record commits with the work or not at all; published after the
 * worker's commit (as the consumers do), it is written by a group-commit writer together with the
 * other completions that arrived meanwhile. Completion push reads only committed records,
 * so no browser or receiver ever hears of work that rolled back.
 */
@Component
public class CompletionLog implements DisposableBean {

    /** The job queue that carries webhook deliveries (its jobs publish no completion of their own). */
    public static final String WEBHOOK_QUEUE = "outbox.webhooks";

    private static final String INSERT_ONLY = """
            INSERT INTO work_completions (kind, work_id, topic, dedupe_key, outcome, detail, completed_at)
            VALUES (:kind, :id, :topic, :dedupeKey, :outcome, :detail, CAST(:completedAt AS timestamptz))
            """;
    private static final String INSERT = INSERT_ONLY + "RETURNING seq\n";
    private static final String INSERT_ALL = sql("sql/completions/record-completions.sql");
    private static final String FOR_WORK = """
            SELECT seq, kind, work_id, topic, dedupe_key, outcome, detail, completed_at
            FROM work_completions WHERE work_id = :id ORDER BY seq
            """;

    /** Completions queued for the group-commit writer at most; past it, workers record their own. */
    private static final int QUEUE_CAPACITY = 10_000;
    /** Completions recorded in one transaction at most. */
    private static final int MAX_BATCH = 500;

    private final NamedParameterJdbcTemplate jdbc;
    private final JobQueue jobs;
    private final WebhookProperties webhooks;
    private final CompletionWakeScheduler wake;
    private final TransactionTemplate transactions;
    private final CompletionBatches batches;

    public CompletionLog(NamedParameterJdbcTemplate jdbc, JobQueue jobs, WebhookProperties webhooks,
                         CompletionWakeScheduler wake, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.webhooks = webhooks;
        this.wake = wake;
        this.transactions = new TransactionTemplate(transactionManager);
        this.batches = new CompletionBatches(QUEUE_CAPACITY, MAX_BATCH, this::writeAll);
    }

    /**
     * Inside a transaction (the job workers' settle) the completion is written there and commits with
     * the work; outside one (the consumers, after their commit) it goes to the group-commit writer.
     */
    @EventListener
    public void record(WorkCompleted work) {
        check(work);
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            write(work);
        } else if (!batches.offer(work)) {
            transactions.executeWithoutResult(status -> write(work));
        }
    }

    /**
     * A batch of completions (a settled batch of jobs): inside a transaction they are written with one
     * statement, which takes the serialising lock once, and commit with the work; outside one each goes
     * the way of {@link #record}.
     */
    @EventListener
    public void recordAll(WorkCompletions completions) {
        List<WorkCompleted> works = completions.works();
        works.forEach(CompletionLog::check);
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            works.forEach(this::record);
            return;
        }
        List<Long> seqs = new ArrayList<>(jdbc.queryForList(INSERT_ALL, new MapSqlParameterSource()
                .addValue("kinds", column(works, WorkCompleted::kind))
                .addValue("ids", column(works, WorkCompleted::id))
                .addValue("topics", column(works, WorkCompleted::topic))
                .addValue("dedupeKeys", column(works, WorkCompleted::dedupeKey))
                .addValue("outcomes", column(works, WorkCompleted::outcome))
                .addValue("details", column(works, WorkCompleted::detail))
                .addValue("completedAt", column(works, work -> work.completedAt().toString())), Long.class));
        // the statement numbers the rows in the order given; RETURNING promises no order, seq does
        Collections.sort(seqs);
        for (int i = 0; i < works.size(); i++) {
            deliver(works.get(i), seqs.get(i));
        }
        wakeAfterCommit();
    }

    private static String[] column(List<WorkCompleted> works, Function<WorkCompleted, String> value) {
        return works.stream().map(value).toArray(String[]::new);
    }

    /**
     * Completions no webhook subscription wants need no seq back: runs of them go as one JDBC batch (one
     * round trip) instead of a statement each, in their order. The consumers publish one per event.
     */
    private void writeAll(List<WorkCompleted> works) {
        transactions.executeWithoutResult(status -> {
            List<MapSqlParameterSource> unwatched = new ArrayList<>();
            for (WorkCompleted work : works) {
                if (watched(work)) {
                    insertAll(unwatched);
                    write(work);
                } else {
                    unwatched.add(params(work));
                }
            }
            insertAll(unwatched);
        });
    }

    private boolean watched(WorkCompleted work) {
        Completion completion = new Completion(0, work.kind(), work.id(), work.topic(), work.dedupeKey(),
                work.outcome(), work.detail(), work.completedAt());
        return webhooks.subscriptions().stream().anyMatch(subscription -> subscription.wants(completion));
    }

    private void insertAll(List<MapSqlParameterSource> rows) {
        if (rows.isEmpty()) {
            return;
        }
        jdbc.batchUpdate(INSERT_ONLY, rows.toArray(MapSqlParameterSource[]::new));
        rows.clear();
        wakeAfterCommit();
    }

    private static MapSqlParameterSource params(WorkCompleted work) {
        return new MapSqlParameterSource()
                .addValue("kind", work.kind())
                .addValue("id", work.id())
                .addValue("topic", work.topic())
                .addValue("dedupeKey", work.dedupeKey())
                .addValue("outcome", work.outcome())
                .addValue("detail", work.detail())
                .addValue("completedAt", work.completedAt().toString());
    }

    private void write(WorkCompleted work) {
        Long seq = jdbc.queryForObject(INSERT, params(work), Long.class);
        deliver(work, seq);
        wakeAfterCommit();
    }

    /** Enqueues a webhook delivery per subscription that wants the recorded completion. */
    private void deliver(WorkCompleted work, Long seq) {
        Completion completion = new Completion(seq, work.kind(), work.id(), work.topic(), work.dedupeKey(),
                work.outcome(), work.detail(), work.completedAt());
        for (WebhookProperties.Subscription subscription : webhooks.subscriptions()) {
            if (subscription.wants(completion)) {
                Map<String, Object> delivery = new LinkedHashMap<>();
                delivery.put("subscription", subscription.name());
                delivery.put("completion", completion);
                jobs.enqueue(NewJob.builder(WEBHOOK_QUEUE)
                        .payload(delivery)
                        .uniqueKey("webhook:" + seq + ":" + subscription.name())
                        .maxAttempts(webhooks.maxAttempts())
                        .build());
            }
        }
    }

    private void wakeAfterCommit() {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                wake.wake();
            }
        });
    }

    /** Writes the queued completions before the database goes away. */
    @Override
    public void destroy() {
        batches.close();
    }

    private static void check(WorkCompleted work) {
        if (!WorkCompleted.EVENT.equals(work.kind()) && !WorkCompleted.JOB.equals(work.kind())) {
            throw new IllegalArgumentException("WorkCompleted.kind must be 'event' or 'job', was " + work.kind());
        }
        if (!WebhookProperties.OUTCOMES.contains(work.outcome())) {
            throw new IllegalArgumentException("WorkCompleted.outcome must be one of " + WebhookProperties.OUTCOMES
                    + ", was " + work.outcome());
        }
        if (work.id() == null || work.topic() == null || work.completedAt() == null) {
            throw new IllegalArgumentException("WorkCompleted needs an id, a topic and completedAt: " + work);
        }
    }

    private static String sql(String path) {
        try {
            return new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("missing statement " + path, e);
        }
    }

    /** Every recorded completion of one event or job, oldest first. */
    public List<Completion> forWork(String id) {
        return jdbc.query(FOR_WORK, new MapSqlParameterSource("id", id), CompletionLog::toCompletion);
    }

    static Completion toCompletion(ResultSet row, int n) throws SQLException {
        Timestamp completedAt = row.getTimestamp("completed_at");
        return new Completion(row.getLong("seq"), row.getString("kind"), row.getString("work_id"),
                row.getString("topic"), row.getString("dedupe_key"), row.getString("outcome"),
                row.getString("detail"), completedAt.toInstant());
    }
}
