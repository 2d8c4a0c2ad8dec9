package dev.outboxrelay.jobs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.completion.WorkCompleted;
import dev.outboxrelay.completion.WorkCompletions;
import dev.outboxrelay.relay.RelayClaim;

/**
 * Settles job runs as they end, on one thread: it takes the first finished run at once and every run
 * that ended meanwhile, of any batch, and writes their outcomes and completion records in one
 * transaction. A batch costs one commit or less however many jobs it held, and a slow job holds up the
 * settle of no other job.
 *
 * <p>A failed settle is tried again a few times after short pauses; after that the jobs' leases run out
 * and they run again (at-least-once). Long waits belong in a job's run_at, never in this thread.
 */
@Component
public class JobSettleWriter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(JobSettleWriter.class);
    /** Runs settled in one transaction at most: a full claim of the largest batch size. */
    private static final int MAX_SETTLE = 1000;
    /** How long a settle waits for more runs to end, at most: short beside a commit, and beside any real job. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int RETRIES = 3;
    private static final long FIRST_RETRY_PAUSE_MILLIS = 200;

    private final JobSettlement settlement;
    private final JobsInFlight inFlight;
    private final RelayClaim identity;
    private final ApplicationEventPublisher events;
    private final MeterRegistry meters;
    private final TransactionTemplate transactions;
    private final BlockingQueue<RunningJob> finished = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    public JobSettleWriter(JobSettlement settlement, JobsInFlight inFlight, RelayClaim identity,
                           ApplicationEventPublisher events, MeterRegistry meters,
                           PlatformTransactionManager transactionManager) {
        this.settlement = settlement;
        this.inFlight = inFlight;
        this.identity = identity;
        this.events = events;
        this.meters = meters;
        this.transactions = new TransactionTemplate(transactionManager);
        this.writer = new Thread(this::settleUntilClosed, "outbox-jobs-settle");
        writer.setDaemon(true);
        writer.start();
    }

    /** Hands over a run that has ended; after a stop its lease runs out instead. */
    void finished(RunningJob job) {
        if (!running || !finished.offer(job)) {
            inFlight.ended(List.of(job));
        }
    }

    private void settleUntilClosed() {
        List<RunningJob> batch = new ArrayList<>(MAX_SETTLE);
        while (running || !finished.isEmpty()) {
            try {
                RunningJob first = finished.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                collectMore(batch);
                settleWithRetries(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                inFlight.ended(batch);
                batch.clear();
            }
        }
    }

    /**
     * Adds the runs that end while other runs are still under way, for at most {@link #LINGER_NANOS}
     * after the first. Without it the first run of a batch to end was often settled on its own, a
     * commit of its own, and the rest of its batch a moment later.
     */
    private void collectMore(List<RunningJob> batch) throws InterruptedException {
        long lingerEnd = System.nanoTime() + LINGER_NANOS;
        while (batch.size() < MAX_SETTLE) {
            finished.drainTo(batch, MAX_SETTLE - batch.size());
            long left = lingerEnd - System.nanoTime();
            if (batch.size() >= MAX_SETTLE || left <= 0 || !inFlight.runsUnended()) {
                return;
            }
            RunningJob next = finished.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    private void settleWithRetries(List<RunningJob> batch) throws InterruptedException {
        long pause = FIRST_RETRY_PAUSE_MILLIS;
        for (int attempt = 0; ; attempt++) {
            try {
                List<RunningJob> settled = transactions.execute(status -> {
                    List<RunningJob> written = settlement.settle(batch, identity.owner());
                    publishCompletions(written);
                    return written;
                });
                count(settled);
                return;
            } catch (DataAccessException | TransactionException e) {
                if (attempt == RETRIES || !running) {
                    log.warn("Settling {} job run(s) failed, they run again when their leases end: {}", batch.size(),
                            e.getMessage());
                    return;
                }
                log.warn("Settling {} job run(s) failed, trying again in {} ms: {}", batch.size(), pause, e.getMessage());
                Thread.sleep(pause);
                pause *= 2;
            } catch (RuntimeException e) {
                log.warn("Settling {} job run(s) failed, they run again when their leases end", batch.size(), e);
                return;
            }
        }
    }

    /**
     * Publishes the completions of the settled runs. Runs inside the settle transaction, so the
     * completion records (see {@code CompletionLog}) commit together with the jobs' new state, or not at all.
     */
    private void publishCompletions(List<RunningJob> settled) {
        List<WorkCompleted> completions = new ArrayList<>(settled.size());
        for (RunningJob job : settled) {
            if (job.queue().startsWith(JobWorkers.INTERNAL_QUEUE_PREFIX)
                    || job.outcomeValue() == RunningJob.Outcome.RELEASED) {
                continue;
            }
            String outcome = switch (job.outcomeValue()) {
                case SUCCEEDED -> WorkCompleted.SUCCEEDED;
                case RETRY -> WorkCompleted.FAILED;
                default -> WorkCompleted.DEAD_LETTERED;
            };
            completions.add(new WorkCompleted(WorkCompleted.JOB, job.id().toString(), job.queue(),
                    job.job().uniqueKey(), outcome, job.error(), job.endedAt()));
        }
        if (!completions.isEmpty()) {
            events.publishEvent(new WorkCompletions(completions));
        }
    }

    /** Counts settled runs after the commit, so a settle that rolled back and is tried again counts once. */
    private void count(List<RunningJob> settled) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (RunningJob job : settled) {
            counts.merge(List.of(job.queue(), job.outcome().toLowerCase()), 1, Integer::sum);
        }
        counts.forEach((key, count) -> meters.counter("outbox.jobs.settled", "queue", key.get(0), "outcome", key.get(1))
                .increment(count));
    }

    /** Settles the runs that have ended before the database goes away. */
    @Override
    public void destroy() {
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
