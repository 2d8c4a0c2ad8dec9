package dev.outboxrelay.observe;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import dev.outboxrelay.consume.ConsumeProperties;
import dev.outboxrelay.consume.ConsumerRoutes;

/**
 * The consumers' gauges: lag per consumer and source, read from the brokers ({@link ConsumerLag}), and
 * dead letters waiting per consumer, broker and topic, read from the dead-letter ledger (only rows not
 * replayed, through their partial index). Refreshed in the background by {@link MetricsRefresh}.
 * The counters and timers of the consumers are recorded where the work happens (consume package).
 */
@Component
public class ConsumerMetrics implements RefreshedMetrics {

    private static final Logger log = LoggerFactory.getLogger(ConsumerMetrics.class);

    private static final String DEAD_LETTERS = """
            SELECT consumer, broker, topic, count(*) AS waiting, min(dead_lettered_at) AS oldest
            FROM consumer_dead_letters
            WHERE replayed_at IS NULL
            GROUP BY consumer, broker, topic
            """;

    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    private final ConsumerRoutes consumers;
    private final ConsumerLag lag;
    private final Map<LagKey, LagFigure> lags = new ConcurrentHashMap<>();
    private final Map<DeadLetterKey, DeadLetterFigures> deadLetters = new ConcurrentHashMap<>();

    public ConsumerMetrics(JdbcTemplate jdbc, MeterRegistry meters, ConsumerRoutes consumers, ConsumerLag lag) {
        this.jdbc = jdbc;
        this.meters = meters;
        this.consumers = consumers;
        this.lag = lag;
    }

    @Override
    public void refresh() {
        refreshDeadLetters();
        refreshLag();
    }

    private void refreshDeadLetters() {
        Map<DeadLetterKey, long[]> read = new HashMap<>();
        Instant now = Instant.now();
        jdbc.query(DEAD_LETTERS, row -> {
            Timestamp oldest = row.getTimestamp("oldest");
            long age = oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toMillis());
            read.put(new DeadLetterKey(row.getString("consumer"), row.getString("broker"), row.getString("topic")),
                    new long[] {row.getLong("waiting"), age});
        });
        read.keySet().forEach(this::deadLetterFigures);
        deadLetters.forEach((key, figures) -> {
            long[] values = read.getOrDefault(key, new long[] {0, 0});
            figures.waiting = values[0];
            figures.oldestAgeMillis = values[1];
        });
    }

    private DeadLetterFigures deadLetterFigures(DeadLetterKey key) {
        return deadLetters.computeIfAbsent(key, k -> {
            DeadLetterFigures figures = new DeadLetterFigures();
            Gauge.builder("outbox.consumer.dead.letter.depth", figures, f -> f.waiting)
                    .description("Dead letters recorded in the ledger and not replayed")
                    .tag("consumer", k.consumer()).tag("broker", k.broker()).tag("topic", k.topic())
                    .register(meters);
            Gauge.builder("outbox.consumer.dead.letter.oldest.age", figures, f -> f.oldestAgeMillis / 1000.0)
                    .description("Seconds since the oldest waiting dead letter was recorded")
                    .baseUnit("seconds")
                    .tag("consumer", k.consumer()).tag("broker", k.broker()).tag("topic", k.topic())
                    .register(meters);
            return figures;
        });
    }

    private void refreshLag() {
        List<ConsumeProperties.Consumer> running = consumers.consumers();
        Set<LagKey> seen = new HashSet<>();
        for (ConsumeProperties.Consumer consumer : running) {
            Map<String, Long> read;
            try {
                read = lag.of(consumer);
            } catch (RuntimeException e) {
                // keep the last figures of this consumer: a broker that does not answer is not an empty one
                lags.keySet().stream().filter(key -> key.consumer().equals(consumer.name())).forEach(seen::add);
                log.warn("Lag of consumer {} could not be read: {}", consumer.name(), e.getMessage());
                continue;
            }
            read.forEach((source, value) -> {
                LagKey key = new LagKey(consumer.name(), consumer.broker().configName(), source);
                seen.add(key);
                lagFigure(key).value = value;
            });
        }
        lags.keySet().removeIf(key -> {
            if (seen.contains(key)) {
                return false;
            }
            Meter gauge = lags.get(key).gauge;
            if (gauge != null) {
                meters.remove(gauge);
            }
            return true;
        });
    }

    private LagFigure lagFigure(LagKey key) {
        return lags.computeIfAbsent(key, k -> {
            LagFigure figure = new LagFigure();
            figure.gauge = Gauge.builder("outbox.consumer.lag", figure, f -> f.value)
                    .description("Messages waiting at the broker for the consumer: Kafka end offset minus the "
                            + "group's committed offset, SQS visible messages, RabbitMQ ready messages")
                    .tag("consumer", k.consumer()).tag("broker", k.broker()).tag("source", k.source())
                    .register(meters);
            return figure;
        });
    }

    /** Lag per consumer and source, as last read. */
    public Map<LagKey, Long> lag() {
        Map<LagKey, Long> copy = new HashMap<>();
        lags.forEach((key, figure) -> copy.put(key, figure.value));
        return copy;
    }

    /** Dead letters waiting per consumer, broker and topic, as last read. */
    public Map<DeadLetterKey, Long> deadLetters() {
        Map<DeadLetterKey, Long> copy = new HashMap<>();
        deadLetters.forEach((key, figures) -> copy.put(key, figures.waiting));
        return copy;
    }

    /** Which consumer's lag: {@code source} is the Kafka topic, SQS queue or RabbitMQ queue it reads. */
    public record LagKey(String consumer, String broker, String source) {
    }

    public record DeadLetterKey(String consumer, String broker, String topic) {
    }

    private static final class LagFigure {
        private volatile long value;
        private volatile Meter gauge;
    }

    private static final class DeadLetterFigures {
        private volatile long waiting;
        private volatile long oldestAgeMillis;
    }
}
