package dev.outboxrelay.jobs;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Recurring jobs from cron expressions. Each schedule is a row of {@code recurring_jobs} with the time
 * of its next occurrence; the {@code recurring-jobs} route calls {@link #enqueueDue()} every
 * {@code outbox.jobs.recurring-check-interval}, which enqueues a job for each due occurrence, its
 * run_at the occurrence's time and its unique key naming the occurrence, so several instances never
 * enqueue one occurrence twice. After downtime, missed occurrences of a schedule run once, not once each.
 *
 * <p>Schedules come from {@code outbox.jobs.recurring} (kept in step with the configuration at
 * start-up: a schedule removed there is removed here) or from {@link #schedule} at run time.
 */
@Component("recurringJobs")
public class RecurringJobs implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RecurringJobs.class);
    private static final int DUE_PER_CHECK = 100;

    private static final String UPSERT = """
            INSERT INTO recurring_jobs (name, cron, zone, queue, priority, payload, max_attempts, next_run_at, source)
            VALUES (:name, :cron, :zone, :queue, :priority, CAST(:payload AS jsonb), :maxAttempts,
                    CAST(:nextRunAt AS timestamptz), :source)
            ON CONFLICT (name) DO UPDATE
            SET queue = EXCLUDED.queue,
                priority = EXCLUDED.priority,
                payload = EXCLUDED.payload,
                max_attempts = EXCLUDED.max_attempts,
                source = EXCLUDED.source,
                updated_at = now(),
                -- an unchanged expression keeps its next occurrence, so a restart neither skips nor repeats one
                next_run_at = CASE WHEN recurring_jobs.cron = EXCLUDED.cron AND recurring_jobs.zone = EXCLUDED.zone
                                   THEN recurring_jobs.next_run_at ELSE EXCLUDED.next_run_at END,
                cron = EXCLUDED.cron,
                zone = EXCLUDED.zone
            """;
    private static final String REMOVE_UNCONFIGURED = """
            DELETE FROM recurring_jobs WHERE source = 'config' AND NOT (name = ANY(CAST(:names AS text[])))
            """;
    private static final String UNSCHEDULE = "DELETE FROM recurring_jobs WHERE name = :name";
    private static final String DUE = """
            SELECT name, cron, zone, queue, priority, payload::text AS payload, max_attempts, next_run_at
            FROM recurring_jobs
            WHERE next_run_at <= now()
            ORDER BY next_run_at
            LIMIT :limit
            FOR UPDATE SKIP LOCKED
            """;
    private static final String ADVANCE = """
            UPDATE recurring_jobs SET next_run_at = CAST(:next AS timestamptz), last_run_at = CAST(:fired AS timestamptz)
            WHERE name = :name
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final JobQueue queue;
    private final JobsProperties properties;
    private final ObjectMapper json;

    public RecurringJobs(NamedParameterJdbcTemplate jdbc, JobQueue queue, JobsProperties properties, ObjectMapper json) {
        this.jdbc = jdbc;
        this.queue = queue;
        this.properties = properties;
        this.json = json;
    }

    /** Brings the configured schedules into the table; only instances that run jobs do this. */
    @Override
    public void afterPropertiesSet() {
        if (!properties.enabled()) {
            return;
        }
        for (JobsProperties.Recurring entry : properties.recurring()) {
            upsert(new RecurringJob(entry.name(), entry.cron(), entry.zone(), entry.queue(), entry.payload(),
                    entry.priority(), entry.maxAttempts()), "config");
        }
        String[] names = properties.recurring().stream().map(JobsProperties.Recurring::name).toArray(String[]::new);
        int removed = jdbc.update(REMOVE_UNCONFIGURED, new MapSqlParameterSource("names", names));
        if (removed > 0) {
            log.info("Removed {} recurring schedule(s) no longer in outbox.jobs.recurring", removed);
        }
    }

    /** Adds or replaces a schedule; it stays until {@link #unschedule}d. */
    @Transactional
    public void schedule(RecurringJob job) {
        upsert(job, "api");
    }

    /** Removes a schedule; jobs it already enqueued still run. False when there was none of that name. */
    @Transactional
    public boolean unschedule(String name) {
        return jdbc.update(UNSCHEDULE, new MapSqlParameterSource("name", name)) > 0;
    }

    private void upsert(RecurringJob job, String source) {
        if (!NewJob.isValidName(job.name())) {
            throw new InvalidJobException("name", "may only hold letters, digits, '.', '_' and '-', up to 200 characters");
        }
        if (!NewJob.isValidName(job.queue())) {
            throw new InvalidJobException("queue", "may only hold letters, digits, '.', '_' and '-', up to 200 characters");
        }
        if (job.cron() == null || !CronExpression.isValidExpression(job.cron())) {
            throw new InvalidJobException("cron", "'" + job.cron() + "' is not a valid cron expression");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(job.zone() == null ? "UTC" : job.zone());
        } catch (RuntimeException e) {
            throw new InvalidJobException("zone", "'" + job.zone() + "' is not a time zone");
        }
        Instant next = nextAfter(job.cron(), zone, Instant.now());
        jdbc.update(UPSERT, new MapSqlParameterSource()
                .addValue("name", job.name())
                .addValue("cron", job.cron())
                .addValue("zone", zone.getId())
                .addValue("queue", job.queue())
                .addValue("priority", job.priority())
                .addValue("payload", payloadText(job.payload()))
                .addValue("maxAttempts", job.maxAttempts() == null ? properties.maxAttempts() : job.maxAttempts())
                .addValue("nextRunAt", next.toString())
                .addValue("source", source));
    }

    private String payloadText(Object payload) {
        if (payload == null) {
            return "{}";
        }
        try {
            return payload instanceof String text ? json.readTree(text).toString() : json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidJobException("payload", "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Instant nextAfter(String cron, ZoneId zone, Instant after) {
        ZonedDateTime next = CronExpression.parse(cron).next(after.atZone(zone));
        if (next == null) {
            throw new InvalidJobException("cron", "'" + cron + "' has no future occurrence");
        }
        return next.toInstant();
    }

    /** Enqueues a job for every due occurrence and moves each schedule to its next one after now. */
    @Transactional
    public int enqueueDue() {
        List<Map<String, Object>> due = jdbc.queryForList(DUE, new MapSqlParameterSource("limit", DUE_PER_CHECK));
        Instant now = Instant.now();
        for (Map<String, Object> row : due) {
            String name = (String) row.get("name");
            Instant fired = ((Timestamp) row.get("next_run_at")).toInstant();
            NewJob job = NewJob.builder((String) row.get("queue"))
                    .payload(row.get("payload"))
                    .priority(((Number) row.get("priority")).intValue())
                    .runAt(fired)
                    .uniqueKey("recurring:" + name + ":" + fired)
                    .maxAttempts(((Number) row.get("max_attempts")).intValue())
                    .build();
            queue.enqueue(job, name);
            Instant next = nextAfter((String) row.get("cron"), ZoneId.of((String) row.get("zone")),
                    now.isAfter(fired) ? now : fired);
            jdbc.update(ADVANCE, new MapSqlParameterSource("name", name)
                    .addValue("next", next.toString())
                    .addValue("fired", fired.toString()));
        }
        return due.size();
    }
}
