package dev.outboxrelay.observe;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import dev.outboxrelay.routing.Destination;
import dev.outboxrelay.routing.RoutingTable;

/**
 * Outbox gauges per topic and broker: backlog (events waiting), age of the oldest waiting event, and
 * parked events. Refreshed in the background ({@link MetricsRefresh}) from statements that
 * read only the waiting and parked rows through their partial indexes, so a Prometheus scrape never
 * touches the database and published rows, however many, cost nothing.
 */
@Component
public class OutboxMetrics implements RefreshedMetrics {

    private static final String WAITING = """
            SELECT topic, count(*) AS waiting, min(created_at) AS oldest
            FROM outbox_events
            WHERE published_at IS NULL AND parked_at IS NULL
            GROUP BY topic
            """;
    private static final String PARKED = """
            SELECT topic, count(*) AS parked
            FROM outbox_events
            WHERE parked_at IS NOT NULL AND published_at IS NULL
            GROUP BY topic
            """;

    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    private final RoutingTable routing;
    private final Map<String, TopicFigures> topics = new ConcurrentHashMap<>();

    public OutboxMetrics(JdbcTemplate jdbc, MeterRegistry meters, RoutingTable routing) {
        this.jdbc = jdbc;
        this.meters = meters;
        this.routing = routing;
    }

    @Override
    public void refresh() {
        Map<String, long[]> waiting = new ConcurrentHashMap<>();
        Instant now = Instant.now();
        jdbc.query(WAITING, row -> {
            Timestamp oldest = row.getTimestamp("oldest");
            long age = oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toMillis());
            waiting.put(row.getString("topic"), new long[] {row.getLong("waiting"), age});
        });
        Map<String, Long> parked = new ConcurrentHashMap<>();
        jdbc.query(PARKED, row -> {
            parked.put(row.getString("topic"), row.getLong("parked"));
        });
        waiting.keySet().forEach(this::figures);
        parked.keySet().forEach(this::figures);
        topics.forEach((topic, figures) -> {
            long[] values = waiting.getOrDefault(topic, new long[] {0, 0});
            figures.backlog = values[0];
            figures.oldestAgeMillis = values[1];
            figures.parked = parked.getOrDefault(topic, 0L);
        });
    }

    private TopicFigures figures(String topic) {
        return topics.computeIfAbsent(topic, name -> {
            String broker = routing.resolve(name).map(Destination::broker).map(b -> b.configName()).orElse("none");
            TopicFigures figures = new TopicFigures(broker);
            Gauge.builder("outbox.backlog", figures, f -> f.backlog)
                    .description("Events waiting to be published (not parked)")
                    .tag("topic", name).tag("broker", broker).register(meters);
            Gauge.builder("outbox.oldest.unpublished.age", figures, f -> f.oldestAgeMillis / 1000.0)
                    .description("Seconds since the oldest waiting event was written")
                    .baseUnit("seconds")
                    .tag("topic", name).tag("broker", broker).register(meters);
            Gauge.builder("outbox.parked", figures, f -> f.parked)
                    .description("Events parked after their last attempt, waiting for an operator")
                    .tag("topic", name).tag("broker", broker).register(meters);
            return figures;
        });
    }

    /** A copy of the current figures per topic, for the dashboard. */
    public Map<String, TopicFigures> snapshot() {
        return Map.copyOf(topics);
    }

    /** The figures of one topic; written by the refresh thread, read by gauges. */
    public static final class TopicFigures {
        private final String broker;
        private volatile long backlog;
        private volatile long oldestAgeMillis;
        private volatile long parked;

        TopicFigures(String broker) {
            this.broker = broker;
        }

        /** The broker the topic is routed to, {@code none} when no route takes it. */
        public String broker() {
            return broker;
        }

        public long backlog() {
            return backlog;
        }

        public long oldestAgeMillis() {
            return oldestAgeMillis;
        }

        public long parked() {
            return parked;
        }
    }
}
