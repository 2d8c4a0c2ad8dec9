package dev.outboxrelay.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * The PostgreSQL job queue against the real database: claim order, exactly-once runs with two workers,
 * delays, retries with backoff, the failed record, unique keys, recurring schedules, and a worker that
 * dies mid-run.
 */
class JobQueueTest extends RelayTestSupport {

    @Autowired
    private JobQueue jobs;

    @Autowired
    private JobHandlers handlers;

    @Autowired
    private RecurringJobs recurring;

    @Autowired
    private TransactionTemplate transactions;

    @BeforeEach
    void runRecordTable() {
        jdbc.execute("""
                CREATE TABLE IF NOT EXISTS job_test_runs (
                    job_id uuid NOT NULL, worker text NOT NULL, run_seq bigserial,
                    ran_at timestamptz NOT NULL DEFAULT clock_timestamp())""");
    }

    @Test
    void thousandJobsOverThreePrioritiesRunInPriorityThenTimeOrderExactlyOnceOnTwoWorkers() {
        String queue = "ordered-" + unique();
        int[] priorities = {0, 5, 10};
        Instant now = Instant.now();
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Instant runAt = i % 10 == 0
                    ? now.plusSeconds(4)
                    : now.minusSeconds(ThreadLocalRandom.current().nextInt(1, 3600));
            batch.add(NewJob.builder(queue).payload(Map.of("n", i)).priority(priorities[i % 3]).runAt(runAt).build());
        }
        jobs.enqueueAll(batch);
        Instant started = Instant.now();

        // one thread each, so that each worker's runs follow its claims one by one
        Map<String, Object> worker = Map.of("outbox.relay.enabled", "false", "outbox.jobs.worker-threads", "1",
                "outbox.jobs.batch-size", "10");
        try (RelayInstance a = RelayInstance.start("jobs-a-" + unique(), worker);
             RelayInstance b = RelayInstance.start("jobs-b-" + unique(), worker)) {
            a.bean(JobHandlers.class).register(queue, job -> recordRun(job, "a"));
            b.bean(JobHandlers.class).register(queue, job -> recordRun(job, "b"));
            await("1,000 jobs finished", Duration.ofSeconds(120), () ->
                    count("SELECT count(*) FROM finished_jobs WHERE queue = ?", queue) == 1000);
        }

        assertThat(count("SELECT count(*) FROM job_test_runs r JOIN finished_jobs f ON f.id = r.job_id "
                + "WHERE f.queue = ?", queue)).as("runs").isEqualTo(1000);
        assertThat(count("SELECT count(DISTINCT r.job_id) FROM job_test_runs r JOIN finished_jobs f ON f.id = r.job_id "
                + "WHERE f.queue = ?", queue)).as("distinct jobs run").isEqualTo(1000);
        assertThat(count("SELECT count(*) FROM finished_jobs WHERE queue = ? AND attempts <> 1", queue)).isZero();
        assertThat(count("SELECT count(DISTINCT r.worker) FROM job_test_runs r JOIN finished_jobs f ON f.id = r.job_id "
                + "WHERE f.queue = ?", queue)).as("both workers took part").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM job_test_runs r JOIN finished_jobs f ON f.id = r.job_id "
                + "WHERE f.queue = ? AND r.ran_at < f.run_at", queue)).as("jobs run before their run_at").isZero();

        List<Map<String, Object>> runs = jdbc.queryForList("""
                SELECT r.worker, f.priority, f.run_at FROM job_test_runs r JOIN finished_jobs f ON f.id = r.job_id
                WHERE f.queue = ? AND f.run_at <= ? ORDER BY r.run_seq""", queue, Timestamp.from(started));
        assertThat(runs).hasSize(900);
        for (String name : List.of("a", "b")) {
            List<Map<String, Object>> mine = runs.stream().filter(run -> name.equals(run.get("worker"))).toList();
            for (int i = 1; i < mine.size(); i++) {
                assertThat(claimedNoLaterThan(mine.get(i - 1), mine.get(i)))
                        .as("worker %s ran %s before %s", name, mine.get(i - 1), mine.get(i)).isTrue();
            }
        }
        int lastTop = -1;
        int firstLow = Integer.MAX_VALUE;
        for (int i = 0; i < runs.size(); i++) {
            int priority = ((Number) runs.get(i).get("priority")).intValue();
            if (priority == 10) {
                lastTop = i;
            } else if (priority == 0) {
                firstLow = Math.min(firstLow, i);
            }
        }
        assertThat(lastTop).as("every priority-10 job started before the first priority-0 job").isLessThan(firstLow);
    }

    private static boolean claimedNoLaterThan(Map<String, Object> earlier, Map<String, Object> later) {
        int before = ((Number) earlier.get("priority")).intValue();
        int after = ((Number) later.get("priority")).intValue();
        if (before != after) {
            return before > after;
        }
        return !((Timestamp) earlier.get("run_at")).after((Timestamp) later.get("run_at"));
    }

    private void recordRun(Job job, String worker) {
        jdbc.update("INSERT INTO job_test_runs (job_id, worker) VALUES (?, ?)", job.id(), worker);
    }

    @Test
    void delayedJobDoesNotRunBeforeItsRunAt() {
        String queue = "delayed-" + unique();
        Instant runAt = Instant.now().plusSeconds(3);
        EnqueuedJob job = jobs.enqueue(NewJob.builder(queue).runAt(runAt).build());
        List<Instant> ranAt = Collections.synchronizedList(new ArrayList<>());
        try (JobHandlers.Registration registration = handlers.register(queue, run -> ranAt.add(Instant.now()))) {
            assertThat(jobs.status(job.id()).orElseThrow().state()).isEqualTo("scheduled");
            sleep(Duration.ofMillis(2000));
            assertThat(ranAt).as("not run while it is not due").isEmpty();
            await("delayed job ran", Duration.ofSeconds(10), () -> !ranAt.isEmpty());
        }
        assertThat(ranAt.get(0)).isAfterOrEqualTo(runAt);
        // the run is settled just after its handler returns
        await("delayed job settled", Duration.ofSeconds(10),
                () -> jobs.status(job.id()).orElseThrow().state().equals("succeeded"));
    }

    @Test
    void failingJobIsRetriedWithBackoffAndEndsInTheFailedRecordWithItsError() {
        String queue = "failing-" + unique();
        List<Instant> attempts = Collections.synchronizedList(new ArrayList<>());
        EnqueuedJob job = jobs.enqueue(NewJob.builder(queue).payload(Map.of("order", 42)).maxAttempts(3).build());
        try (JobHandlers.Registration registration = handlers.register(queue, run -> {
            attempts.add(Instant.now());
            throw new IllegalStateException("card declined for order " + run.payload().path("order").asInt());
        })) {
            await("job failed for good", Duration.ofSeconds(20), () ->
                    "failed".equals(jobs.status(job.id()).orElseThrow().state()));
        }
        assertThat(attempts).hasSize(3);
        // backoff 200 ms then 400 ms (test settings), less at most 20 % jitter
        assertThat(Duration.between(attempts.get(0), attempts.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(160));
        assertThat(Duration.between(attempts.get(1), attempts.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(320));
        FailedJob failed = jobs.failed(queue, 10).get(0);
        assertThat(failed.id()).isEqualTo(job.id());
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.lastError()).isEqualTo("IllegalStateException: card declined for order 42");
        assertThat(failed.payload().path("order").asInt()).isEqualTo(42);
        assertThat(count("SELECT count(*) FROM job_queue WHERE id = ?", job.id())).isZero();
        assertThat(jdbc.queryForList("SELECT outcome FROM work_completions WHERE work_id = ? ORDER BY seq",
                String.class, job.id().toString())).containsExactly("failed", "failed", "dead-lettered");
    }

    @Test
    void permanentFailureSkipsTheRemainingAttempts() {
        String queue = "permanent-" + unique();
        AtomicInteger runs = new AtomicInteger();
        EnqueuedJob job = jobs.enqueue(NewJob.builder(queue).maxAttempts(5).build());
        try (JobHandlers.Registration registration = handlers.register(queue, run -> {
            runs.incrementAndGet();
            throw new PermanentJobFailure("recipient unknown");
        })) {
            await("job failed", Duration.ofSeconds(10), () ->
                    "failed".equals(jobs.status(job.id()).orElseThrow().state()));
        }
        assertThat(runs.get()).isOne();
        assertThat(jobs.status(job.id()).orElseThrow().lastError()).isEqualTo("PermanentJobFailure: recipient unknown");
    }

    @Test
    void aSlowJobHoldsUpNeitherTheSettleOfTheQuickJobsClaimedWithItNorTheNextClaim() throws Exception {
        String queue = "slow-" + unique();
        // the highest priority, so it is claimed in the same batch as the quick ones, and first
        UUID slow = jobs.enqueue(NewJob.builder(queue).priority(1).build()).id();
        List<UUID> quick = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            quick.add(jobs.enqueue(NewJob.builder(queue).payload(Map.of("n", i)).build()).id());
        }
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch slowMayEnd = new CountDownLatch(1);
        try (JobHandlers.Registration registration = handlers.register(queue, job -> {
            if (job.id().equals(slow)) {
                slowStarted.countDown();
                slowMayEnd.await(30, TimeUnit.SECONDS);
            }
        })) {
            assertThat(slowStarted.await(10, TimeUnit.SECONDS)).as("the slow job started").isTrue();
            await("the quick jobs settled while the slow one runs", Duration.ofSeconds(10), () ->
                    quick.stream().allMatch(id -> "succeeded".equals(jobs.status(id).orElseThrow().state())));
            assertThat(jdbc.queryForList("SELECT outcome FROM work_completions WHERE work_id = ?", String.class,
                    quick.get(0).toString())).containsExactly("succeeded");

            UUID later = jobs.enqueue(NewJob.builder(queue).build()).id();
            await("a job enqueued later settled while the slow one runs", Duration.ofSeconds(10), () ->
                    "succeeded".equals(jobs.status(later).orElseThrow().state()));
            assertThat(jobs.status(slow).orElseThrow().state()).isEqualTo("running");

            slowMayEnd.countDown();
            await("the slow job settled", Duration.ofSeconds(10), () ->
                    "succeeded".equals(jobs.status(slow).orElseThrow().state()));
        } finally {
            slowMayEnd.countDown();
        }
    }

    @Test
    void uniqueJobEnqueuedTwiceRunsOnce() {
        String queue = "unique-" + unique();
        EnqueuedJob first = jobs.enqueue(NewJob.builder(queue).uniqueKey("invoice-7").build());
        EnqueuedJob second = jobs.enqueue(NewJob.builder(queue).uniqueKey("invoice-7").payload("{\"again\":true}").build());
        AtomicInteger runs = new AtomicInteger();
        try (JobHandlers.Registration registration = handlers.register(queue, run -> runs.incrementAndGet())) {
            await("job ran", Duration.ofSeconds(10), () ->
                    "succeeded".equals(jobs.status(first.id()).orElseThrow().state()));
            EnqueuedJob afterwards = jobs.enqueue(NewJob.builder(queue).uniqueKey("invoice-7").build());
            assertThat(afterwards).isEqualTo(new EnqueuedJob(first.id(), false));
            sleep(Duration.ofSeconds(1));
        }
        assertThat(first.created()).isTrue();
        assertThat(second).isEqualTo(new EnqueuedJob(first.id(), false));
        assertThat(runs.get()).isOne();
        assertThat(count("SELECT count(*) FROM finished_jobs WHERE queue = ?", queue)).isOne();
    }

    @Test
    void jobEnqueuedInARolledBackTransactionNeverExists() {
        String queue = "rolled-back-" + unique();
        assertThatThrownBy(() -> transactions.executeWithoutResult(status -> {
            jobs.enqueue(NewJob.builder(queue).build());
            throw new IllegalStateException("order refused");
        })).hasMessage("order refused");
        assertThat(count("SELECT count(*) FROM job_queue WHERE queue = ?", queue)).isZero();
    }

    @Test
    void recurringJobRunsOnItsSchedule() {
        String name = "every-two-seconds-" + unique();
        String queue = "recurring-" + unique();
        List<Job> runs = Collections.synchronizedList(new ArrayList<>());
        List<Instant> startedAt = Collections.synchronizedList(new ArrayList<>());
        try (JobHandlers.Registration registration = handlers.register(queue, run -> {
            startedAt.add(Instant.now());
            runs.add(run);
        })) {
            recurring.schedule(new RecurringJob(name, "*/2 * * * * *", "UTC", queue, Map.of("report", "usage"), 3, null));
            try {
                await("three occurrences ran", Duration.ofSeconds(15), () -> runs.size() >= 3);
            } finally {
                recurring.unschedule(name);
            }
            int ran = runs.size();
            sleep(Duration.ofSeconds(3));
            assertThat(runs).as("nothing after unscheduling").hasSizeLessThanOrEqualTo(ran + 1);
        }
        List<Instant> occurrences = runs.stream().map(Job::runAt).toList();
        assertThat(occurrences).doesNotHaveDuplicates();
        for (int i = 0; i < runs.size(); i++) {
            Job run = runs.get(i);
            assertThat(run.runAt().getNano()).isZero();
            assertThat(run.runAt().getEpochSecond() % 2).as("an occurrence of */2").isZero();
            assertThat(startedAt.get(i)).isAfterOrEqualTo(run.runAt());
            assertThat(run.uniqueKey()).isEqualTo("recurring:" + name + ":" + run.runAt());
            assertThat(run.priority()).isEqualTo(3);
            assertThat(run.payload().path("report").asText()).isEqualTo("usage");
        }
        for (int i = 1; i < occurrences.size(); i++) {
            assertThat(Duration.between(occurrences.get(i - 1), occurrences.get(i))).isEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void jobsOfAWorkerThatDiesMidRunAreRunElsewhereOnceTheirLeaseEndsAndALastAttemptIsNotRunAgain() throws Exception {
        String queue = "crash-" + unique();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(jobs.enqueue(NewJob.builder(queue).payload(Map.of("n", i)).build()).id());
        }
        // claimed first, on its only attempt: it must end in the failed record, not run a second time
        UUID lastChance = jobs.enqueue(NewJob.builder(queue).priority(1).maxAttempts(1).build()).id();
        String doomedName = "jobs-doomed-" + unique();
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        try {
            RelayInstance doomed = RelayInstance.start(doomedName, Map.of("outbox.relay.enabled", "false",
                    "outbox.jobs.worker-threads", "2", "outbox.jobs.batch-size", "10"));
            try {
                doomed.bean(JobHandlers.class).register(queue, job -> {
                    running.countDown();
                    never.await(60, TimeUnit.SECONDS);
                });
                assertThat(running.await(20, TimeUnit.SECONDS)).as("the doomed worker is running jobs").isTrue();
                assertThat(count("SELECT count(*) FROM job_queue WHERE queue = ? AND lease_owner = ?", queue, doomedName))
                        .as("claimed by the doomed worker").isEqualTo(10);
                assertThat(count("SELECT count(*) FROM job_queue WHERE id = ? AND lease_owner = ?", lastChance,
                        doomedName)).isOne();
            } finally {
                doomed.close();
            }
            List<UUID> ran = Collections.synchronizedList(new ArrayList<>());
            try (JobHandlers.Registration registration = handlers.register(queue, job -> ran.add(job.id()))) {
                await("every job finished elsewhere", Duration.ofSeconds(40), () ->
                        count("SELECT count(*) FROM finished_jobs WHERE queue = ?", queue) == 20);
            }
            await("the single-attempt job failed", Duration.ofSeconds(20), () ->
                    "failed".equals(jobs.status(lastChance).orElseThrow().state()));
            assertThat(ran).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(count("SELECT count(*) FROM finished_jobs WHERE queue = ? AND attempts = 2", queue))
                    .as("the dead worker's claims counted as attempts").isEqualTo(9);
            assertThat(jobs.status(lastChance).orElseThrow().lastError())
                    .startsWith("the worker " + doomedName + " running its last attempt stopped before it ended");
            assertThat(jdbc.queryForList("SELECT outcome FROM work_completions WHERE work_id = ?", String.class,
                    lastChance.toString())).containsExactly("dead-lettered");
        } finally {
            never.countDown();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
