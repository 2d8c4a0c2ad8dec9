package dev.outboxrelay.api;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.outboxrelay.completion.Completion;
import dev.outboxrelay.completion.CompletionLog;
import dev.outboxrelay.jobs.EnqueuedJob;
import dev.outboxrelay.jobs.InvalidJobException;
import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.JobStatus;
import dev.outboxrelay.jobs.JobWorkers;
import dev.outboxrelay.jobs.NewJob;

/**
 * HTTP intake of jobs: {@code POST /api/jobs/{queue}} enqueues a job and answers 202 Accepted at once,
 * with the job's id and a Location to poll.
 */
@RestController
@RequestMapping("/api/jobs")
public class JobIntakeController {

    private final JobQueue jobs;
    private final CompletionLog completions;
    private final IntakeBackpressure backpressure;

    public JobIntakeController(JobQueue jobs, CompletionLog completions, IntakeBackpressure backpressure) {
        this.jobs = jobs;
        this.completions = completions;
        this.backpressure = backpressure;
    }

    /**
     * The job to enqueue; every field is optional.
     *
     * @param payload     a JSON object, {@code {}} when absent
     * @param priority    higher runs first, 0 when absent
     * @param runAt       not run before this instant
     * @param delay       or: not run before this long from now (ISO-8601, e.g. {@code PT30S})
     * @param uniqueKey   a second job with the same key on this queue is not enqueued; else the Idempotency-Key header
     * @param maxAttempts runs before the job goes to the failed record
     */
    public record JobRequest(JsonNode payload, Integer priority, Instant runAt, Duration delay, String uniqueKey,
                             Integer maxAttempts) {
    }

    @PostMapping("/{queue}")
    public ResponseEntity<Accepted> enqueue(@PathVariable String queue, @RequestBody(required = false) JobRequest body,
                                            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        backpressure.admitJobs();
        if (queue.startsWith(JobWorkers.INTERNAL_QUEUE_PREFIX)) {
            throw new InvalidJobException("queue", "names starting with '" + JobWorkers.INTERNAL_QUEUE_PREFIX
                    + "' belong to the service itself");
        }
        JobRequest request = body == null ? new JobRequest(null, null, null, null, null, null) : body;
        if (request.runAt() != null && request.delay() != null) {
            throw new InvalidJobException("delay", "give runAt or delay, not both");
        }
        Instant runAt = request.delay() != null ? Instant.now().plus(request.delay()) : request.runAt();
        EnqueuedJob enqueued = jobs.enqueue(NewJob.builder(queue)
                .payload(request.payload() == null ? "{}" : request.payload().toString())
                .priority(request.priority() == null ? 0 : request.priority())
                .runAt(runAt)
                .uniqueKey(request.uniqueKey() != null ? request.uniqueKey() : idempotencyKey)
                .maxAttempts(request.maxAttempts())
                .build());
        String id = enqueued.id().toString();
        URI location = URI.create("/api/jobs/" + id);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(location)
                .body(new Accepted(id, enqueued.created(), location.toString(), "/api/completions?id=" + id));
    }

    /** The job's state, and the completions its runs reported. */
    public record JobStatusResponse(JobStatus job, List<Completion> completions) {
    }

    @GetMapping("/{id}")
    public ResponseEntity<JobStatusResponse> status(@PathVariable UUID id) {
        return jobs.status(id)
                .map(status -> ResponseEntity.ok(new JobStatusResponse(status, completions.forWork(id.toString()))))
                .orElse(ResponseEntity.notFound().build());
    }
}
