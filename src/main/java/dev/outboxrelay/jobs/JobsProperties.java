package dev.outboxrelay.jobs;

import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the PostgreSQL job queue and its workers.
 *
 * @param enabled       whether this instance runs job workers and recurring schedules (enqueueing always works)
 * @param batchSize     jobs claimed per statement; the next batch is claimed once every job of the last one
 *                      has started
 * @param workerThreads jobs run in parallel
 * @param lease         how long a claimed job stays reserved without renewal: the time until a dead
 *                      worker's jobs run elsewhere
 * @param leaseRenewal  how often the leases of running jobs are renewed; less than half the lease
 * @param pollInterval  how often workers look for due jobs when nothing woke them (jobs enqueued by
 *                      another instance, delayed jobs, retries)
 * @param maxAttempts   runs of a job before it goes to the failed record, unless the job says otherwise
 * @param backoff       the wait before a failed job runs again
 * @param recurringCheckInterval how often due recurring schedules are looked for
 * @param recurring     recurring jobs from cron expressions
 */
@ConfigurationProperties("outbox.jobs")
@Validated
public record JobsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("500") @Min(1) @Max(1000) int batchSize,
        @DefaultValue("4") @Min(1) @Max(256) int workerThreads,
        @DefaultValue("30s") @NotNull Duration lease,
        @DefaultValue("10s") @NotNull Duration leaseRenewal,
        @DefaultValue("1s") @NotNull Duration pollInterval,
        @DefaultValue("5") @Min(1) @Max(1000) int maxAttempts,
        @DefaultValue @Valid Backoff backoff,
        @DefaultValue("1s") @NotNull Duration recurringCheckInterval,
        @DefaultValue List<Recurring> recurring) {

    public JobsProperties {
        requirePositive("outbox.jobs.lease", lease);
        requirePositive("outbox.jobs.lease-renewal", leaseRenewal);
        requirePositive("outbox.jobs.poll-interval", pollInterval);
        requirePositive("outbox.jobs.recurring-check-interval", recurringCheckInterval);
        if (lease != null && leaseRenewal != null && leaseRenewal.multipliedBy(2).compareTo(lease) >= 0) {
            throw new IllegalArgumentException("outbox.jobs.lease-renewal (" + leaseRenewal + ") must be less than "
                    + "half of outbox.jobs.lease (" + lease + "), or a running job could lose its lease");
        }
        recurring = recurring == null ? List.of() : List.copyOf(recurring);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < recurring.size(); i++) {
            Recurring entry = recurring.get(i);
            String name = "outbox.jobs.recurring[" + i + "]";
            if (entry == null) {
                throw new IllegalArgumentException(name + " is empty");
            }
            entry.check(name);
            if (!names.add(entry.name())) {
                throw new IllegalArgumentException(name + ".name '" + entry.name() + "' is used twice");
            }
        }
    }

    /**
     * Exponential backoff between runs of a failing job, with +-20% jitter.
     *
     * @param initial    the wait after the first failure
     * @param multiplier the growth per further failure
     * @param max        the longest wait
     */
    public record Backoff(
            @DefaultValue("1s") @NotNull Duration initial,
            @DefaultValue("2.0") @DecimalMin("1.0") double multiplier,
            @DefaultValue("1h") @NotNull Duration max) {

        public Backoff {
            requirePositive("outbox.jobs.backoff.initial", initial);
            requirePositive("outbox.jobs.backoff.max", max);
        }

        /** The wait after the given failed attempt (1 for the first), before jitter. */
        public Duration after(int attempt) {
            double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
            return Duration.ofMillis((long) Math.min(max.toMillis(), millis));
        }
    }

    /**
     * One recurring job: a job enqueued on {@code queue} at every occurrence of {@code cron}.
     *
     * @param name        the schedule's name, unique; occurrences are enqueued once each, by whichever instance
     * @param cron        a Spring cron expression with seconds, e.g. {@code 0 0/15 * * * *}, or a macro such as {@code @hourly}
     * @param zone        the time zone the expression is read in
     * @param queue       the queue the jobs go to
     * @param payload     the jobs' payload, a JSON object as text
     * @param priority    the jobs' priority
     * @param maxAttempts the jobs' attempts; empty for {@code outbox.jobs.max-attempts}
     */
    public record Recurring(
            String name,
            String cron,
            @DefaultValue("UTC") String zone,
            String queue,
            @DefaultValue("{}") String payload,
            @DefaultValue("0") int priority,
            Integer maxAttempts) {

        void check(String setting) {
            if (name == null || !NewJob.isValidName(name)) {
                throw new IllegalArgumentException(setting + ".name is required and may only hold letters, digits, "
                        + "'.', '_' and '-', up to 200 characters");
            }
            if (queue == null || !NewJob.isValidName(queue)) {
                throw new IllegalArgumentException(setting + ".queue is required and may only hold letters, digits, "
                        + "'.', '_' and '-', up to 200 characters");
            }
            if (cron == null || !CronExpression.isValidExpression(cron)) {
                throw new IllegalArgumentException(setting + ".cron '" + cron + "' is not a valid cron expression "
                        + "(six fields, seconds first, e.g. '0 0/15 * * * *')");
            }
            try {
                ZoneId.of(zone);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(setting + ".zone '" + zone + "' is not a time zone");
            }
            if (maxAttempts != null && maxAttempts < 1) {
                throw new IllegalArgumentException(setting + ".max-attempts must be 1 or more");
            }
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
    }
}
