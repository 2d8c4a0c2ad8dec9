package dev.outboxrelay.jobs;

/**
 * Runs the jobs of a queue. Returning normally finishes the job; throwing fails this run, and the job
 * runs again after a backoff until it has used its attempts (throw {@link PermanentJobFailure} to skip
 * the remaining attempts). A job can run more than once (a worker that died mid-run, a lease that ran
 * out), so a handler must be safe to repeat: check before acting, or use a key the receiving side dedupes.
 */
@FunctionalInterface
public interface JobHandler {

    void handle(Job job) throws Exception;
}
