package dev.outboxrelay.retention;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long the service keeps the records it no longer needs, and how it deletes them. An age of
 * {@code 0} keeps that table's rows forever.
 *
 * @param enabled           whether this instance runs the purge (several instances may: they skip each other's rows)
 * @param interval          the pause between two purge runs
 * @param batchSize         rows deleted per statement; each statement is a transaction of its own
 * @param publishedEvents   outbox events, from their publication
 * @param processedKeys     consumers' processed keys, from processing: must outlast every broker's
 *                          redelivery window, or a late redelivery runs its handler again
 * @param finishedJobs      finished-job records (and the unique keys they hold), from finishing
 * @param failedJobs        failed-job records (and the unique keys they hold), from failing
 * @param webhookDeliveries webhook call records, from the call
 * @param deadLetters       dead-letter ledger entries, from their last dead-lettering, replayed or not
 * @param completions       completion records (SSE replay, completion lookup), from recording
 */
@ConfigurationProperties("outbox.retention")
@Validated
public record RetentionProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1m") @NotNull Duration interval,
        @DefaultValue("1000") @Min(1) @Max(100000) int batchSize,
        @DefaultValue("7d") @NotNull Duration publishedEvents,
        @DefaultValue("14d") @NotNull Duration processedKeys,
        @DefaultValue("7d") @NotNull Duration finishedJobs,
        @DefaultValue("30d") @NotNull Duration failedJobs,
        @DefaultValue("7d") @NotNull Duration webhookDeliveries,
        @DefaultValue("30d") @NotNull Duration deadLetters,
        @DefaultValue("7d") @NotNull Duration completions) {

    public RetentionProperties {
        if (interval != null && (interval.isZero() || interval.isNegative())) {
            throw new IllegalArgumentException("outbox.retention.interval must be a positive duration, was " + interval);
        }
        ages(publishedEvents, processedKeys, finishedJobs, failedJobs, webhookDeliveries, deadLetters, completions)
                .forEach((name, age) -> {
                    if (age != null && age.isNegative()) {
                        throw new IllegalArgumentException("outbox.retention." + name
                                + " must be 0 (keep forever) or a positive duration, was " + age);
                    }
                });
    }

    /** Each purged record kind by its setting name (also its statement's name), with its age. */
    public Map<String, Duration> ages() {
        return ages(publishedEvents, processedKeys, finishedJobs, failedJobs, webhookDeliveries, deadLetters,
                completions);
    }

    private static Map<String, Duration> ages(Duration publishedEvents, Duration processedKeys, Duration finishedJobs,
            Duration failedJobs, Duration webhookDeliveries, Duration deadLetters, Duration completions) {
        Map<String, Duration> ages = new LinkedHashMap<>();
        ages.put("published-events", publishedEvents);
        ages.put("processed-keys", processedKeys);
        ages.put("finished-jobs", finishedJobs);
        ages.put("failed-jobs", failedJobs);
        ages.put("webhook-deliveries", webhookDeliveries);
        ages.put("dead-letters", deadLetters);
        ages.put("completions", completions);
        return ages;
    }
}
