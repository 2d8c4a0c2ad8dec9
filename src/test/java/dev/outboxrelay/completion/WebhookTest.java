package dev.outboxrelay.completion;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outboxrelay.jobs.EnqueuedJob;
import dev.outboxrelay.jobs.JobHandlers;
import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.NewJob;
import dev.outboxrelay.support.RelayTestSupport;
import dev.outboxrelay.support.WebhookReceiver;

/**
 * Completion push by webhook to a real HTTP server in the test: the call carries a signature the
 * receiver can check with the shared key, a failing receiver is called again after a backoff until it
 * answers, and every call is recorded.
 */
class WebhookTest extends RelayTestSupport {

    @Autowired
    private JobQueue jobs;

    @Autowired
    private JobHandlers handlers;

    @Test
    void completionIsDeliveredToTheSubscribedReceiverCorrectlySigned() {
        String queue = "hooked." + unique();
        EnqueuedJob job = jobs.enqueue(NewJob.builder(queue).payload(Map.of("page", "/products/42")).build());
        try (JobHandlers.Registration registration = handlers.register(queue, run -> { })) {
            await("webhook received", Duration.ofSeconds(30), () -> !receiver().callsMentioning(queue).isEmpty());
        }
        WebhookReceiver.Call call = receiver().callsMentioning(queue).get(0);
        assertThat(call.path()).isEqualTo("/hooks/ok");
        assertThat(call.header("Content-Type")).isEqualTo("application/json");
        assertSigned(call, "test-signing-secret");
        assertThat(call.body()).contains("\"id\":\"" + job.id() + "\"").contains("\"outcome\":\"succeeded\"")
                .contains("\"kind\":\"job\"");
        await("delivery recorded", Duration.ofSeconds(10), () -> deliveries(job.id().toString()).size() == 1);
        Map<String, Object> delivery = deliveries(job.id().toString()).get(0);
        assertThat(delivery.get("subscription")).isEqualTo("test-receiver");
        assertThat(delivery.get("succeeded")).isEqualTo(true);
        assertThat(delivery.get("status_code")).isEqualTo(204);
        assertThat(delivery.get("attempt")).isEqualTo(1);
    }

    @Test
    void failingReceiverIsCalledAgainWithBackoffAndEveryCallIsRecorded() {
        String queue = "hooked-flaky." + unique();
        EnqueuedJob job = jobs.enqueue(NewJob.builder(queue).build());
        try (JobHandlers.Registration registration = handlers.register(queue, run -> { })) {
            await("the receiver finally accepted", Duration.ofSeconds(30), () ->
                    receiver().callsMentioning(job.id().toString()).size() == WebhookReceiver.FLAKY_FAILURES + 1);
        }
        List<WebhookReceiver.Call> calls = receiver().callsMentioning(job.id().toString());
        assertThat(calls).extracting(WebhookReceiver.Call::answered).containsExactly(500, 500, 204);
        for (int i = 0; i < calls.size(); i++) {
            assertSigned(calls.get(i), "flaky-secret");
            assertThat(calls.get(i).header("X-Outbox-Attempt")).isEqualTo(Integer.toString(i + 1));
            assertThat(calls.get(i).body()).as("the same body on every call").isEqualTo(calls.get(0).body());
        }
        // backoff 200 ms then 400 ms in the test profile, less at most 20 % jitter
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(160));
        assertThat(Duration.between(calls.get(1).at(), calls.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(320));

        await("every call recorded", Duration.ofSeconds(10), () -> deliveries(job.id().toString()).size() == 3);
        List<Map<String, Object>> recorded = deliveries(job.id().toString());
        assertThat(recorded).extracting(row -> row.get("succeeded")).containsExactly(false, false, true);
        assertThat(recorded).extracting(row -> row.get("status_code")).containsExactly(500, 500, 204);
        assertThat((String) recorded.get(0).get("error")).isEqualTo("HTTP 500: receiver failing on purpose");
        long seq = jdbc.queryForObject("SELECT seq FROM work_completions WHERE work_id = ?", Long.class,
                job.id().toString());
        await("the delivery job finished", Duration.ofSeconds(10), () -> count(
                "SELECT count(*) FROM finished_jobs WHERE queue = 'outbox.webhooks' AND unique_key = ? AND attempts = 3",
                "webhook:" + seq + ":test-flaky") == 1);
    }

    private static void assertSigned(WebhookReceiver.Call call, String secret) {
        String header = call.header("X-Outbox-Signature");
        assertThat(header).matches("t=[0-9]+,v1=[0-9a-f]{64}");
        long timestamp = Long.parseLong(header.substring(2, header.indexOf(',')));
        String expected = WebhookSender.sign(secret, timestamp, call.body());
        assertThat(header.substring(header.indexOf("v1=") + 3)).isEqualTo(expected);
        assertThat(expected).isEqualTo(hmacComputedByTheReceiver(secret, timestamp + "." + call.body()));
    }

    /** The receiver's own check, written independently of the sender's code. */
    private static String hmacComputedByTheReceiver(String secret, String signed) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "HmacSHA256"));
            StringBuilder hex = new StringBuilder();
            for (byte b : mac.doFinal(signed.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** The deliveries of the completions of one piece of work, oldest first. */
    private List<Map<String, Object>> deliveries(String workId) {
        return jdbc.queryForList("""
                SELECT d.* FROM webhook_deliveries d JOIN work_completions c ON c.seq = d.completion_seq
                WHERE c.work_id = ? ORDER BY d.id""", workId);
    }

    private static WebhookReceiver receiver() {
        return servers().webhooks();
    }
}
