package dev.outboxrelay.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.jobs.JobHandlers;
import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.NewJob;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.HttpApi;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * Backpressure at the door, over real HTTP: past the outbox or job backlog limit (4,000 events and
 * 1,500 jobs in the test profile) the intake answers 503 with Retry-After, and takes work again once
 * the backlog drained.
 */
class BackpressureTest extends RelayTestSupport {

    @LocalServerPort
    private int port;

    @Autowired
    private IntakeBackpressure backpressure;

    @Autowired
    private JobQueue jobs;

    @Autowired
    private JobHandlers handlers;

    private HttpApi api;

    @BeforeEach
    void intakeIsOpen() {
        api = new HttpApi(port);
        IntakeDoor.awaitOpen(backpressure);
    }

    @Test
    void pastTheOutboxBacklogLimitEventsAreRefusedWith503AndRetryAfterUntilItDrains() throws Exception {
        String topic = "kafka.backpressure-" + unique();
        String event = "{\"aggregateId\": \"a-1\", \"eventType\": \"Tick\", \"payload\": {\"n\": 1}}";
        camel.getRouteController().stopRoute("outbox-relay");
        try {
            long room = backpressure.state().maxOutboxBacklog() - backpressure.state().outboxBacklog() + 50;
            List<OutboxEvent> backlog = new ArrayList<>();
            for (int i = 0; i < room; i++) {
                backlog.add(event(topic, topic + "-agg-" + (i % 50), i));
            }
            for (int from = 0; from < backlog.size(); from += 1000) {
                writer.writeAll(backlog.subList(from, Math.min(backlog.size(), from + 1000)));
            }
            await("intake refuses events", Duration.ofSeconds(10), () -> backpressure.state().refusingEvents());

            HttpApi.Response refused = api.post("/api/events/" + topic, event);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("2");
            assertThat(refused.json().path("error").asText()).isEqualTo("overloaded");
            assertThat(api.post("/api/jobs/bp-" + unique(), "{}").status()).as("jobs have their own limit").isEqualTo(202);
        } finally {
            camel.getRouteController().startRoute("outbox-relay");
        }
        await("intake takes events again", Duration.ofSeconds(90), () -> !backpressure.state().refusingEvents());
        assertThat(api.post("/api/events/" + topic, event).status()).isEqualTo(202);
        awaitAllPublished(topic, Duration.ofSeconds(60));
    }

    @Test
    void pastTheJobBacklogLimitJobsAreRefusedWith503AndRetryAfterUntilItDrains() {
        String queue = "backpressure-" + unique();
        long room = backpressure.state().maxJobBacklog() - backpressure.state().jobBacklog() + 20;
        List<NewJob> backlog = new ArrayList<>();
        for (int i = 0; i < room; i++) {
            backlog.add(NewJob.builder(queue).build());
        }
        jobs.enqueueAll(backlog);
        await("intake refuses jobs", Duration.ofSeconds(10), () -> backpressure.state().refusingJobs());

        HttpApi.Response refused = api.post("/api/jobs/" + queue, "{}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("2");

        try (JobHandlers.Registration registration = handlers.register(queue, job -> { })) {
            await("intake takes jobs again", Duration.ofSeconds(90), () -> !backpressure.state().refusingJobs());
            assertThat(api.post("/api/jobs/" + queue, "{}").status()).isEqualTo(202);
            await("queue drained", Duration.ofSeconds(90), () ->
                    count("SELECT count(*) FROM job_queue WHERE queue = ?", queue) == 0);
        }
    }
}
