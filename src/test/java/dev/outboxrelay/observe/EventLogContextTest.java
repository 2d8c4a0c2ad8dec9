package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.logback.StructuredLogEncoder;

import dev.outboxrelay.consume.ConsumedEvents;
import dev.outboxrelay.consume.ScriptedHandler;
import dev.outboxrelay.relay.RelayBatches;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;

/**
 * Every line the relay, a consumer, its handler and Camel's error handler log about an event carries the
 * event's id, dedupe key, retry count and time so far in the MDC, and structured (JSON) logs show them.
 * The per-event success lines are DEBUG, so the test raises those loggers for its duration.
 */
class EventLogContextTest extends ConsumerTestSupport {

    private static final List<Class<?>> DEBUG_LOGGERS = List.of(RelayBatches.class, ConsumedEvents.class,
            ScriptedHandler.class);

    private final Lines lines = new Lines();
    private final Map<String, Level> levelsBefore = new HashMap<>();

    @BeforeEach
    void captureLines() {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (Class<?> type : DEBUG_LOGGERS) {
            Logger logger = logging.getLogger(type);
            levelsBefore.put(type.getName(), logger.getLevel());
            logger.setLevel(Level.DEBUG);
        }
        lines.setContext(logging);
        lines.start();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(lines);
    }

    @AfterEach
    void restoreLogging() {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(lines);
        lines.stop();
        levelsBefore.forEach((name, level) -> logging.getLogger(name).setLevel(level));
    }

    @Test
    void relayHandlerRedeliveryAndCompletionLinesCarryTheEventsKeys() {
        String topic = consumeTopic(BrokerProbe.Kind.KAFKA, "logs-" + unique());
        String consumer = startConsumer(BrokerProbe.Kind.KAFKA, topic);
        String key = topic + ":flaky";
        writer.write(scripted(topic, "agg-1", key, Map.of("failTimes", 1)));

        await("handled on the second attempt", Duration.ofSeconds(30), () -> effects(consumer, key) == 1);
        String eventId = eventIdOf(key);
        await("completion line logged", Duration.ofSeconds(5), () -> !lines.about(eventId, "Handled").isEmpty());

        ILoggingEvent published = single(lines.about(eventId, "Published"));
        assertKeys(published, eventId, key, 0);

        List<ILoggingEvent> attempts = lines.about(eventId, "Attempt ");
        assertThat(attempts).as("the handler's own lines").hasSize(2);
        assertKeys(attempts.get(0), eventId, key, 0);
        assertKeys(attempts.get(1), eventId, key, 1);

        ILoggingEvent redelivery = single(lines.about(eventId, "Failed delivery"));
        assertThat(redelivery.getLevel()).isEqualTo(Level.WARN);
        assertKeys(redelivery, eventId, key, 0);

        ILoggingEvent handled = single(lines.about(eventId, "Handled"));
        assertKeys(handled, eventId, key, 1);
        assertThat(durationOf(handled)).as("time so far includes the redelivery delay (200 ms)")
                .isGreaterThanOrEqualTo(200)
                .isGreaterThanOrEqualTo(durationOf(attempts.get(1)));
    }

    @Test
    void deadLetterLineCarriesTheLastRetryCountAndTheWholeTime() {
        String topic = consumeTopic(BrokerProbe.Kind.RABBITMQ, "logs-dead-" + unique());
        String consumer = startConsumer(BrokerProbe.Kind.RABBITMQ, topic);
        String key = topic + ":poison";
        writer.write(scripted(topic, "agg-1", key, Map.of("alwaysFail", true)));

        await("dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
        String eventId = eventIdOf(key);
        await("dead-letter line logged", Duration.ofSeconds(5), () -> !lines.about(eventId, "Dead-lettered").isEmpty());

        List<ILoggingEvent> failures = lines.about(eventId, "Failed delivery");
        assertThat(failures).as("one line per failed attempt (3 in the test profile)").hasSize(3);
        for (int attempt = 0; attempt < 3; attempt++) {
            assertKeys(failures.get(attempt), eventId, key, attempt);
        }
        ILoggingEvent dead = single(lines.about(eventId, "Dead-lettered"));
        assertKeys(dead, eventId, key, 2);
        assertThat(durationOf(dead)).as("both redelivery delays: 200 ms and 400 ms")
                .isGreaterThanOrEqualTo(600);
    }

    @Test
    void relayFailureLinesCountTheAttemptsBefore() {
        String topic = "retired." + unique();
        jdbc.update("""
                INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                VALUES (?, ?, 'Retired', '{}', ?)""", topic, topic + "-agg", topic + ":1");

        await("parked", Duration.ofSeconds(30), () ->
                count("SELECT count(*) FROM outbox_events WHERE topic = ? AND parked_at IS NOT NULL", topic) == 1);
        String eventId = eventIdOf(topic + ":1");
        List<ILoggingEvent> failures = lines.about(eventId, "Publishing");
        assertThat(failures).hasSize(3);
        for (int attempt = 0; attempt < 3; attempt++) {
            assertKeys(failures.get(attempt), eventId, topic + ":1", attempt);
        }
    }

    @Test
    void jsonLinesCarryTheKeysAsFields() throws Exception {
        String topic = consumeTopic(BrokerProbe.Kind.SQS, "logs-json-" + unique());
        String consumer = startConsumer(BrokerProbe.Kind.SQS, topic);
        String key = topic + ":1";
        writer.write(scripted(topic, "agg-1", key, Map.of("failTimes", 1)));
        await("handled", Duration.ofSeconds(30), () -> effects(consumer, key) == 1);
        String eventId = eventIdOf(key);
        await("completion line logged", Duration.ofSeconds(5), () -> !lines.about(eventId, "Handled").isEmpty());
        ILoggingEvent redelivery = single(lines.about(eventId, "Failed delivery"));

        // the encoder Spring Boot puts on the console for logging.structured.format.console
        for (String format : List.of("ecs", "logstash")) {
            StructuredLogEncoder encoder = new StructuredLogEncoder();
            encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
            encoder.setFormat(format);
            encoder.setCharset(StandardCharsets.UTF_8);
            encoder.start();
            try {
                JsonNode line = json.readTree(new String(encoder.encode(redelivery), StandardCharsets.UTF_8));
                assertThat(line.path(EventLogContext.EVENT_ID).asText()).as(format).isEqualTo(eventId);
                assertThat(line.path(EventLogContext.DEDUPE_KEY).asText()).as(format).isEqualTo(key);
                assertThat(line.path(EventLogContext.RETRY_COUNT).asText()).as(format).isEqualTo("0");
                assertThat(line.path(EventLogContext.DURATION_MS).asText()).as(format).matches("\\d+");
            } finally {
                encoder.stop();
            }
        }
    }

    private String eventIdOf(String dedupeKey) {
        return jdbc.queryForObject("SELECT id::text FROM outbox_events WHERE dedupe_key = ?", String.class, dedupeKey);
    }

    private static ILoggingEvent single(List<ILoggingEvent> found) {
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static void assertKeys(ILoggingEvent line, String eventId, String dedupeKey, int retryCount) {
        Map<String, String> mdc = line.getMDCPropertyMap();
        assertThat(mdc).as(line.getFormattedMessage())
                .containsEntry(EventLogContext.EVENT_ID, eventId)
                .containsEntry(EventLogContext.DEDUPE_KEY, dedupeKey)
                .containsEntry(EventLogContext.RETRY_COUNT, Integer.toString(retryCount));
        assertThat(mdc.get(EventLogContext.DURATION_MS)).as(line.getFormattedMessage()).matches("\\d+");
    }

    private static long durationOf(ILoggingEvent line) {
        return Long.parseLong(line.getMDCPropertyMap().get(EventLogContext.DURATION_MS));
    }

    /** Every line logged while a test runs, with the MDC of the thread that logged it. */
    private static final class Lines extends AppenderBase<ILoggingEvent> {

        private final List<ILoggingEvent> all = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent line) {
            // the MDC is read from the logging thread now, not from whichever thread asserts later
            line.prepareForDeferredProcessing();
            all.add(line);
        }

        List<ILoggingEvent> about(String eventId, String messageStart) {
            return all.stream()
                    .filter(line -> eventId.equals(line.getMDCPropertyMap().get(EventLogContext.EVENT_ID)))
                    .filter(line -> line.getFormattedMessage().startsWith(messageStart))
                    .toList();
        }
    }
}
