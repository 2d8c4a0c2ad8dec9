package dev.outboxrelay.jobs;

import org.springframework.stereotype.Component;

import dev.outboxrelay.wake.WakeablePollScheduler;

/**
 * Runs the job workers' claim as soon as a job was enqueued on this instance or a handler registered,
 * and otherwise every {@code outbox.jobs.poll-interval} (jobs enqueued elsewhere, delayed jobs, retries).
 */
@Component("jobWakeScheduler")
public class JobWakeScheduler extends WakeablePollScheduler {

    public JobWakeScheduler(JobsProperties properties) {
        super("outbox-jobs-poll", properties.pollInterval(), 1);
    }
}
