package dev.outboxrelay.api;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.outbox.OutboxLookup;

/**
 * Decides whether the intake takes work. The {@code intake-backlog} route counts the outbox backlog and
 * the job backlog every check interval (each count bounded by its limit); requests only read the
 * outcome. A backlog over its limit closes its door until it has fallen to {@code resume-at} of the
 * limit, so the intake does not flap at the edge.
 */
@Component("intakeBackpressure")
public class IntakeBackpressure {

    private static final Logger log = LoggerFactory.getLogger(IntakeBackpressure.class);

    private final IntakeProperties.Backpressure settings;
    private final OutboxLookup outbox;
    private final JobQueue jobs;
    private final AtomicLong outboxBacklog = new AtomicLong();
    private final AtomicLong jobBacklog = new AtomicLong();
    private volatile boolean outboxFull;
    private volatile boolean jobsFull;

    public IntakeBackpressure(IntakeProperties properties, OutboxLookup outbox, JobQueue jobs, MeterRegistry meters) {
        this.settings = properties.backpressure();
        this.outbox = outbox;
        this.jobs = jobs;
        Gauge.builder("outbox.intake.backlog", outboxBacklog, AtomicLong::get).tag("kind", "outbox")
                .description("Due work counted by the intake's backpressure check (capped just above the limit)")
                .register(meters);
        Gauge.builder("outbox.intake.backlog", jobBacklog, AtomicLong::get).tag("kind", "jobs").register(meters);
        Gauge.builder("outbox.intake.refusing", this, check -> (check.outboxFull || check.jobsFull) ? 1 : 0)
                .description("1 while the intake refuses some work because a backlog passed its limit")
                .register(meters);
    }

    /** Counts both backlogs and opens or closes the doors. */
    public void refresh() {
        long events = outbox.backlog(settings.maxOutboxBacklog());
        long queued = jobs.backlog(settings.maxJobBacklog());
        outboxBacklog.set(events);
        jobBacklog.set(queued);
        boolean nowOutboxFull = next(outboxFull, events, settings.maxOutboxBacklog());
        boolean nowJobsFull = next(jobsFull, queued, settings.maxJobBacklog());
        if (nowOutboxFull != outboxFull) {
            log.warn(nowOutboxFull ? "Outbox backlog {} passed {}: the intake refuses events"
                    : "Outbox backlog down to {} (limit {}): the intake takes events again", events,
                    settings.maxOutboxBacklog());
        }
        if (nowJobsFull != jobsFull) {
            log.warn(nowJobsFull ? "Job backlog {} passed {}: the intake refuses jobs"
                    : "Job backlog down to {} (limit {}): the intake takes jobs again", queued, settings.maxJobBacklog());
        }
        outboxFull = nowOutboxFull;
        jobsFull = nowJobsFull;
    }

    private boolean next(boolean full, long backlog, long limit) {
        return full ? backlog > (long) (limit * settings.resumeAt()) : backlog > limit;
    }

    /** Throws when the outbox backlog is over its limit. */
    public void admitEvents() {
        if (outboxFull) {
            throw new IntakeOverloadedException("the outbox backlog passed " + settings.maxOutboxBacklog()
                    + " events; try again later", settings.retryAfter(), settings.status());
        }
    }

    /** Throws when the job backlog is over its limit. */
    public void admitJobs() {
        if (jobsFull) {
            throw new IntakeOverloadedException("the job backlog passed " + settings.maxJobBacklog()
                    + " jobs; try again later", settings.retryAfter(), settings.status());
        }
    }

    /** What the last check found, for operators. */
    public State state() {
        return new State(outboxBacklog.get(), settings.maxOutboxBacklog(), outboxFull, jobBacklog.get(),
                settings.maxJobBacklog(), jobsFull);
    }

    /** The backlogs (each counted up to just above its limit) and whether each door is closed. */
    public record State(long outboxBacklog, long maxOutboxBacklog, boolean refusingEvents, long jobBacklog,
                        long maxJobBacklog, boolean refusingJobs) {
    }
}
