package dev.outboxrelay.api;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.outboxrelay.jobs.FailedJob;
import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.RecurringJob;
import dev.outboxrelay.jobs.RecurringJobs;
import dev.outboxrelay.schema.EventSchemas;

/**
 * Operator endpoints, all under {@code /admin} so that they can be put behind authentication as a
 * whole: the failed-jobs record and retrying from it, recurring schedules, webhook delivery records,
 * the event schemas and a compatibility check for a candidate version, and the intake's backpressure.
 */
@RestController
@RequestMapping("/admin")
public class AdminController {

    private static final String DELIVERIES = """
            SELECT id, job_id, subscription, url, completion_seq, attempt, succeeded, status_code, error,
                   duration_ms, attempted_at
            FROM webhook_deliveries
            WHERE (CAST(:subscription AS text) IS NULL OR subscription = :subscription)
              AND (CAST(:seq AS bigint) IS NULL OR completion_seq = :seq)
            ORDER BY id DESC
            LIMIT :limit
            """;
    private static final String RECURRING = """
            SELECT name, cron, zone, queue, priority, payload::text AS payload, max_attempts, next_run_at,
                   last_run_at, source
            FROM recurring_jobs ORDER BY name
            """;

    private final JobQueue jobs;
    private final RecurringJobs recurring;
    private final EventSchemas schemas;
    private final IntakeBackpressure backpressure;
    private final NamedParameterJdbcTemplate jdbc;

    public AdminController(JobQueue jobs, RecurringJobs recurring, EventSchemas schemas,
                           IntakeBackpressure backpressure, NamedParameterJdbcTemplate jdbc) {
        this.jobs = jobs;
        this.recurring = recurring;
        this.schemas = schemas;
        this.backpressure = backpressure;
        this.jdbc = jdbc;
    }

    @GetMapping("/jobs/failed")
    public List<FailedJob> failedJobs(@RequestParam(required = false) String queue,
                                      @RequestParam(defaultValue = "50") int limit) {
        return jobs.failed(queue, clamp(limit));
    }

    /** Puts a failed job back in its queue with fresh attempts. */
    @PostMapping("/jobs/failed/{id}/retry")
    public ResponseEntity<Void> retryFailedJob(@PathVariable UUID id) {
        return jobs.retryFailed(id) ? ResponseEntity.status(HttpStatus.ACCEPTED).build()
                : ResponseEntity.notFound().build();
    }

    @GetMapping("/jobs/recurring")
    public List<Map<String, Object>> recurringJobs() {
        return jdbc.queryForList(RECURRING, Map.of());
    }

    @PutMapping("/jobs/recurring/{name}")
    public ResponseEntity<Void> schedule(@PathVariable String name, @RequestBody RecurringJob job) {
        recurring.schedule(new RecurringJob(name, job.cron(), job.zone(), job.queue(), job.payload(), job.priority(),
                job.maxAttempts()));
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/jobs/recurring/{name}")
    public ResponseEntity<Void> unschedule(@PathVariable String name) {
        return recurring.unschedule(name) ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    /** Every webhook call, newest first; narrow by subscription or by completion seq. */
    @GetMapping("/webhooks/deliveries")
    public List<Map<String, Object>> webhookDeliveries(@RequestParam(required = false) String subscription,
                                                       @RequestParam(required = false) Long completion,
                                                       @RequestParam(defaultValue = "50") int limit) {
        return jdbc.queryForList(DELIVERIES, new MapSqlParameterSource("subscription", subscription)
                .addValue("seq", completion).addValue("limit", clamp(limit)));
    }

    @GetMapping("/schemas")
    public SortedMap<String, List<Integer>> schemas() {
        return schemas.catalogue();
    }

    @GetMapping("/schemas/{topic}/{version}")
    public ResponseEntity<JsonNode> schema(@PathVariable String topic, @PathVariable int version) {
        JsonNode document = schemas.document(topic, version);
        return document == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(document);
    }

    /** What a candidate for the topic's next schema version would break; 409 when it would break consumers. */
    public record CompatibilityReport(String topic, boolean compatible, List<String> breakingChanges) {
    }

    @PostMapping("/schemas/{topic}/check")
    public ResponseEntity<CompatibilityReport> checkSchema(@PathVariable String topic, @RequestBody JsonNode candidate) {
        List<String> changes = schemas.checkCandidate(topic, candidate);
        CompatibilityReport report = new CompatibilityReport(topic, changes.isEmpty(), changes);
        return ResponseEntity.status(changes.isEmpty() ? HttpStatus.OK : HttpStatus.CONFLICT).body(report);
    }

    @GetMapping("/intake")
    public IntakeBackpressure.State intake() {
        return backpressure.state();
    }

    private static int clamp(int limit) {
        return Math.max(1, Math.min(limit, 1000));
    }
}
