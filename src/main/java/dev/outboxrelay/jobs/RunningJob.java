package dev.outboxrelay.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * A claimed job on its way from its claim to its settle: the job, the claim that holds it, and how its
 * run ended, which JobSettlement reads to settle it.
 */
public final class RunningJob {

    /** How a run ended, and so which settle statement records it. */
    public enum Outcome {
        /** Not run yet. */
        PENDING,
        /** Ran to the end: the job moves to the finished record. */
        SUCCEEDED,
        /** Failed with attempts left: the job runs again after a backoff. */
        RETRY,
        /** Failed on its last attempt, or permanently: the job moves to the failed record. */
        FAILED,
        /** Not run because this instance no longer has a handler for its queue: given back uncounted. */
        RELEASED
    }

    private static final int MAX_ERROR_LENGTH = 2000;

    private final Job job;
    private final String owner;
    private volatile Outcome outcome = Outcome.PENDING;
    private volatile String error;
    private volatile double retryDelaySeconds;
    private volatile Instant endedAt;

    RunningJob(Job job, String owner) {
        this.job = job;
        this.owner = owner;
    }

    public Job job() {
        return job;
    }

    public UUID id() {
        return job.id();
    }

    public String queue() {
        return job.queue();
    }

    public int attempt() {
        return job.attempt();
    }

    /** The claim's owner: the settle statements only touch the row while this instance's claim holds it. */
    public String owner() {
        return owner;
    }

    public String outcome() {
        return outcome.name();
    }

    Outcome outcomeValue() {
        return outcome;
    }

    public String error() {
        return error;
    }

    public double retryDelaySeconds() {
        return retryDelaySeconds;
    }

    /** When the run ended: the completion's time, however much later its settle commits. */
    public Instant endedAt() {
        return endedAt;
    }

    void succeeded() {
        endedAt = Instant.now();
        outcome = Outcome.SUCCEEDED;
    }

    void failed(String error, boolean permanent, double retryDelaySeconds) {
        String text = error == null ? "unknown error" : error;
        this.error = text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "...";
        this.outcome = permanent || job.isLastAttempt() ? Outcome.FAILED : Outcome.RETRY;
        this.retryDelaySeconds = retryDelaySeconds;
        this.endedAt = Instant.now();
    }

    void released() {
        endedAt = Instant.now();
        outcome = Outcome.RELEASED;
    }

    @Override
    public String toString() {
        return "job " + job.id() + " (" + job.queue() + ", attempt " + job.attempt() + "/" + job.maxAttempts() + ")";
    }
}
