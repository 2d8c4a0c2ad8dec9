package dev.outboxrelay.jobs;

/**
 * A schedule that enqueues one job per occurrence of a cron expression.
 *
 * @param name        unique name of the schedule; each occurrence is enqueued once, by whichever instance
 * @param cron        a Spring cron expression with seconds first ({@code 0 0/15 * * * *}), or a macro ({@code @daily})
 * @param zone        the time zone the expression is read in, e.g. {@code UTC} or {@code Europe/Paris}
 * @param queue       the queue the jobs go to
 * @param payload     the jobs' payload: a JSON object as text, or any object Jackson can write as one
 * @param priority    the jobs' priority
 * @param maxAttempts the jobs' attempts; null for {@code outbox.jobs.max-attempts}
 */
public record RecurringJob(String name, String cron, String zone, String queue, Object payload, int priority,
                           Integer maxAttempts) {
}
