package dev.outboxrelay.jobs;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import dev.outboxrelay.relay.RelayClaim;

/**
 * The job worker route's steps in Java: turns claimed rows into {@link RunningJob}s in claim order,
 * starts their runs on the job threads, runs each with its queue's handler and hands the ended run to
 * {@link JobSettleWriter}. Also supplies the values the job SQL files read through
 * {@code ${bean:jobWorkers.…}}.
 */
@Component("jobWorkers")
public class JobWorkers {

    /** Queues of the service's own work (webhook deliveries): their jobs publish no completion. */
    public static final String INTERNAL_QUEUE_PREFIX = "outbox.";

    private static final Logger log = LoggerFactory.getLogger(JobWorkers.class);
    private static final Comparator<RunningJob> CLAIM_ORDER = Comparator
            .comparingInt((RunningJob running) -> -running.job().priority())
            .thenComparing(running -> running.job().runAt())
            .thenComparing(RunningJob::id);

    private final JobHandlers handlers;
    private final JobsProperties properties;
    private final RelayClaim identity;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final ExecutorService runPool;
    private final JobsInFlight inFlight;
    private final JobSettleWriter settleWriter;
    // looked up once per queue and outcome rather than registered again for every run
    private final Map<List<String>, Timer> durations = new ConcurrentHashMap<>();

    public JobWorkers(JobHandlers handlers, JobsProperties properties, RelayClaim identity, ObjectMapper json,
                      MeterRegistry meters, @Qualifier("jobRunPool") ExecutorService runPool, JobsInFlight inFlight,
                      JobSettleWriter settleWriter) {
        this.handlers = handlers;
        this.properties = properties;
        this.identity = identity;
        this.json = json;
        this.meters = meters;
        this.runPool = runPool;
        this.inFlight = inFlight;
        this.settleWriter = settleWriter;
    }

    /** Reads the claimed rows in claim order (highest priority, then earliest run_at). */
    public List<RunningJob> open(List<Map<String, Object>> rows) {
        List<RunningJob> jobs = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Job job = new Job(
                    (UUID) row.get("id"),
                    (String) row.get("queue"),
                    ((Number) row.get("priority")).intValue(),
                    ((Timestamp) row.get("run_at")).toInstant(),
                    readPayload((String) row.get("payload")),
                    (String) row.get("unique_key"),
                    ((Number) row.get("attempts")).intValue(),
                    ((Number) row.get("max_attempts")).intValue(),
                    ((Timestamp) row.get("created_at")).toInstant());
            jobs.add(new RunningJob(job, identity.owner()));
        }
        jobs.sort(CLAIM_ORDER);
        log.debug("Claimed {} job(s)", jobs.size());
        return jobs;
    }

    private JsonNode readPayload(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            // jsonb always holds valid JSON; this cannot happen short of a driver fault
            throw new IllegalStateException("job payload from the database is not JSON", e);
        }
    }

    /**
     * Starts the batch's runs in claim order on the job threads; each run is settled as soon as it
     * ends. Returns when the next batch may be claimed (see {@link JobsInFlight#awaitRoom}), so the
     * next claim overlaps the runs and the settle of this one.
     */
    public void start(List<RunningJob> jobs) {
        inFlight.claimed(jobs);
        for (int i = 0; i < jobs.size(); i++) {
            RunningJob job = jobs.get(i);
            try {
                runPool.execute(() -> {
                    inFlight.started();
                    try {
                        run(job);
                    } finally {
                        settleWriter.finished(job);
                        inFlight.runEnded();
                    }
                });
            } catch (RejectedExecutionException e) {
                // only while stopping: the jobs not handed over keep their leases until they run out
                inFlight.neverStarted(jobs.subList(i, jobs.size()));
                throw e;
            }
        }
        inFlight.awaitRoom(properties.batchSize());
    }

    /** Runs one job with its handler. Never throws: how the run ended is recorded on the job for settling. */
    public RunningJob run(RunningJob job) {
        Optional<JobHandler> handler = handlers.forQueue(job.queue());
        if (handler.isEmpty()) {
            job.released();
            return job;
        }
        Timer.Sample sample = Timer.start(meters);
        try {
            handler.get().handle(job.job());
            job.succeeded();
        } catch (Exception | LinkageError | AssertionError e) {
            boolean permanent = e instanceof PermanentJobFailure;
            double delay = properties.backoff().after(job.attempt()).toMillis() / 1000.0
                    * (0.8 + ThreadLocalRandom.current().nextDouble() * 0.4);
            job.failed(describe(e), permanent, delay);
            if (job.outcomeValue() == RunningJob.Outcome.RETRY) {
                log.warn("{} failed, runs again in {} ms: {}", job, Math.round(delay * 1000), job.error());
            } else {
                log.warn("{} failed for good and goes to the failed record: {}", job, job.error());
            }
        }
        sample.stop(durations.computeIfAbsent(List.of(job.queue(), job.outcome().toLowerCase()),
                key -> Timer.builder("outbox.jobs.duration")
                        .description("Time a job's handler took")
                        .tag("queue", key.get(0))
                        .tag("outcome", key.get(1))
                        .publishPercentiles(0.5, 0.95, 0.99)
                        .register(meters)));
        return job;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + message;
    }

    public String owner() {
        return identity.owner();
    }

    public String[] queues() {
        return handlers.queues();
    }

    public int batchSize() {
        return properties.batchSize();
    }

    public double leaseSeconds() {
        return properties.lease().toMillis() / 1000.0;
    }

    /** The jobs this instance holds now, for the lease renewal. */
    public UUID[] runningIds() {
        return inFlight.ids();
    }

    public boolean hasRunning() {
        return !inFlight.isEmpty();
    }
}
