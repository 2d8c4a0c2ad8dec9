package dev.outboxrelay.completion;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import dev.outboxrelay.jobs.Job;
import dev.outboxrelay.jobs.PermanentJobFailure;
import dev.outboxrelay.jobs.QueueWorker;

/**
 * Delivers one completion to one webhook subscription: a POST of the completion as JSON, signed with
 * HMAC-SHA256, and a row in {@code webhook_deliveries} for every call whatever its result. Any answer
 * but 2xx fails the call; the job queue then calls again after its backoff, up to
 * {@code outbox.webhooks.max-attempts}, after which the delivery is in the failed jobs.
 *
 * <p>The signature header is {@code X-Outbox-Signature: t=<unix seconds>,v1=<hex HMAC of "t.body">}:
 * a receiver recomputes it over the raw body with the shared key and refuses stale timestamps.
 */
@Component
public class WebhookSender implements QueueWorker {

    public static final String SIGNATURE_HEADER = "X-Outbox-Signature";
    public static final String DELIVERY_HEADER = "X-Outbox-Delivery";
    public static final String ATTEMPT_HEADER = "X-Outbox-Attempt";
    private static final int MAX_ERROR_LENGTH = 1000;

    private static final String RECORD = """
            INSERT INTO webhook_deliveries (job_id, subscription, url, completion_seq, attempt, succeeded,
                                            status_code, error, duration_ms)
            VALUES (:jobId, :subscription, :url, :seq, :attempt, :succeeded, :status, :error, :duration)
            """;

    private final WebhookProperties properties;
    private final NamedParameterJdbcTemplate jdbc;
    private final HttpClient http;

    public WebhookSender(WebhookProperties properties, NamedParameterJdbcTemplate jdbc) {
        this.properties = properties;
        this.jdbc = jdbc;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String queue() {
        return CompletionLog.WEBHOOK_QUEUE;
    }

    @Override
    public void handle(Job job) throws Exception {
        String name = job.payload().path("subscription").asText();
        WebhookProperties.Subscription subscription = properties.subscription(name);
        if (subscription == null) {
            throw new PermanentJobFailure("webhook subscription '" + name + "' is no longer configured");
        }
        JsonNode completion = job.payload().path("completion");
        String body = completion.toString();
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(subscription.url())
                .timeout(properties.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "outbox-relay-webhooks")
                .header(SIGNATURE_HEADER, "t=" + timestamp + ",v1=" + sign(properties.secretOf(subscription), timestamp, body))
                .header(DELIVERY_HEADER, job.id().toString())
                .header(ATTEMPT_HEADER, Integer.toString(job.attempt()))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        long started = System.nanoTime();
        Integer status = null;
        String error = null;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            if (status / 100 != 2) {
                error = "HTTP " + status + excerpt(response.body());
            }
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } finally {
            int millis = (int) Duration.ofNanos(System.nanoTime() - started).toMillis();
            jdbc.update(RECORD, new MapSqlParameterSource()
                    .addValue("jobId", job.id())
                    .addValue("subscription", name)
                    .addValue("url", subscription.url().toString())
                    .addValue("seq", completion.path("seq").asLong())
                    .addValue("attempt", job.attempt())
                    .addValue("succeeded", error == null && status != null)
                    .addValue("status", status)
                    .addValue("error", truncate(error))
                    .addValue("duration", millis));
        }
        if (error != null) {
            throw new IOException("webhook " + name + " to " + subscription.url() + " failed: " + error);
        }
    }

    /** The hex HMAC-SHA256 of {@code timestamp + "." + body}, as receivers recompute it. */
    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String text = body.strip();
        return ": " + (text.length() <= 200 ? text : text.substring(0, 200) + "...");
    }

    private static String truncate(String error) {
        return error == null || error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH) + "...";
    }
}
