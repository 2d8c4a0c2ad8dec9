package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.opentelemetry.api.trace.Span;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The tests' handler: writes one effect row per run into {@code test_effects} (in the consumer's
 * transaction, so only committed runs count) and behaves as the event's payload says:
 * {@code "failTimes": n} fails the first n attempts, {@code "alwaysFail": true} always fails,
 * {@code "permanent": true} throws a {@link PermanentEventException}, {@code "failAfterWrite": n} writes
 * its effect and then fails the first n attempts, {@code "hold": "gate"} waits (inside the transaction)
 * until the test opens that gate.
 */
public class ScriptedHandler implements EventHandler {

    private static final Logger log = LoggerFactory.getLogger(ScriptedHandler.class);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, String> traceIds = new ConcurrentHashMap<>();
    private final Map<String, List<Instant>> attemptTimes = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> arrivals = new ConcurrentHashMap<>();

    public ScriptedHandler(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        jdbc.execute("""
                CREATE TABLE IF NOT EXISTS test_effects (
                    consumer text NOT NULL, dedupe_key text NOT NULL, payload text NOT NULL,
                    handled_at timestamptz NOT NULL DEFAULT clock_timestamp())""");
    }

    @Override
    public void handle(ConsumedEvent event) throws Exception {
        String key = event.consumer() + "/" + event.dedupeKey();
        traceIds.put(key, Span.current().getSpanContext().getTraceId());
        int attempt = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        attemptTimes.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(Instant.now());
        log.debug("Attempt {} at {}", attempt, key);
        JsonNode script = json.readTree(event.payload());
        if (script.path("permanent").asBoolean(false)) {
            throw new PermanentEventException("scripted permanent failure of " + event.dedupeKey());
        }
        if (script.path("alwaysFail").asBoolean(false)) {
            throw new IllegalStateException("scripted failure " + attempt + " of " + event.dedupeKey());
        }
        if (attempt <= script.path("failTimes").asInt(0)) {
            throw new IllegalStateException("scripted failure " + attempt + " of " + event.dedupeKey());
        }
        jdbc.update("INSERT INTO test_effects (consumer, dedupe_key, payload) VALUES (?, ?, ?)",
                event.consumer(), event.dedupeKey(), event.payload());
        if (attempt <= script.path("failAfterWrite").asInt(0)) {
            throw new IllegalStateException("scripted failure after the write, attempt " + attempt);
        }
        String hold = script.path("hold").asText(null);
        if (hold != null) {
            arrivals.computeIfAbsent(hold, k -> new CountDownLatch(1)).countDown();
            if (!gate(hold).await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate " + hold + " never opened");
            }
        }
    }

    /** The trace the handler last ran in for a consumer's dedupe key (all zeros outside any trace). */
    public String traceId(String consumer, String dedupeKey) {
        return traceIds.get(consumer + "/" + dedupeKey);
    }

    /** Attempts the handler saw for a consumer's dedupe key, committed or not. */
    public int attempts(String consumer, String dedupeKey) {
        AtomicInteger count = attempts.get(consumer + "/" + dedupeKey);
        return count == null ? 0 : count.get();
    }

    /** When each attempt started. */
    public List<Instant> attemptTimes(String consumer, String dedupeKey) {
        return List.copyOf(attemptTimes.getOrDefault(consumer + "/" + dedupeKey, List.of()));
    }

    /** Waits until a handler run reached the gate. */
    public boolean awaitArrival(String gate, long seconds) throws InterruptedException {
        return arrivals.computeIfAbsent(gate, k -> new CountDownLatch(1)).await(seconds, TimeUnit.SECONDS);
    }

    public void open(String gate) {
        gate(gate).countDown();
    }

    private CountDownLatch gate(String name) {
        return gates.computeIfAbsent(name, k -> new CountDownLatch(1));
    }
}
