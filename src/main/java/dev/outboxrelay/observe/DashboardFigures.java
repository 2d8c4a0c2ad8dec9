package dev.outboxrelay.observe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.springframework.stereotype.Component;

import dev.outboxrelay.consume.ConsumeProperties;
import dev.outboxrelay.consume.ConsumerRoutes;
import dev.outboxrelay.relay.RelayCircuits;
import dev.outboxrelay.routing.Broker;
import dev.outboxrelay.routing.Destination;
import dev.outboxrelay.routing.RoutingTable;

/**
 * Puts the dashboard's summary together from what is already in memory: the background-refreshed
 * gauges ({@link OutboxMetrics}, {@link ConsumerMetrics}, {@link JobQueueMetrics}), the relay's and the
 * consumers' meters, and the circuit breakers. Nothing here reads the database or a broker, so a
 * dashboard polling every two seconds costs next to nothing.
 */
@Component
public class DashboardFigures {

    private final OutboxMetrics outbox;
    private final ConsumerMetrics consumerMetrics;
    private final JobQueueMetrics jobMetrics;
    private final MeterRegistry meters;
    private final RoutingTable routing;
    private final RelayCircuits circuits;
    private final ConsumerRoutes consumers;
    private final CamelContext camel;

    public DashboardFigures(OutboxMetrics outbox, ConsumerMetrics consumerMetrics, JobQueueMetrics jobMetrics,
                            MeterRegistry meters, RoutingTable routing, RelayCircuits circuits, ConsumerRoutes consumers,
                            CamelContext camel) {
        this.outbox = outbox;
        this.consumerMetrics = consumerMetrics;
        this.jobMetrics = jobMetrics;
        this.meters = meters;
        this.routing = routing;
        this.circuits = circuits;
        this.consumers = consumers;
        this.camel = camel;
    }

    public DashboardSummary summary() {
        return new DashboardSummary(Instant.now(), topics(), consumerRows(), circuitRows(), jobQueues());
    }

    private List<DashboardSummary.Topic> topics() {
        Map<String, OutboxMetrics.TopicFigures> waiting = outbox.snapshot();
        Map<String, Long> published = countersByTag("outbox.relay.published", "topic", null);
        Map<String, Long> publishFailures = countersByTag("outbox.relay.failures", "topic", null);
        Map<String, Long> handled = countersByTag("outbox.consumer.events", "topic", "handled");
        Map<String, Long> failures = countersByTag("outbox.consumer.failures", "topic", null);
        Map<String, Long> retries = countersByTag("outbox.consumer.retries", "topic", null);
        Map<String, Long> deadLetters = new HashMap<>();
        consumerMetrics.deadLetters().forEach((key, value) -> deadLetters.merge(key.topic(), value, Long::sum));
        Map<String, Double> p95 = p95ByTag("topic");

        TreeSet<String> names = new TreeSet<>(waiting.keySet());
        names.addAll(published.keySet());
        names.addAll(handled.keySet());
        names.addAll(failures.keySet());
        names.addAll(deadLetters.keySet());

        List<ConsumeProperties.Consumer> readers = consumers.consumers();
        Map<ConsumerMetrics.LagKey, Long> lag = consumerMetrics.lag();
        List<DashboardSummary.Topic> rows = new ArrayList<>(names.size());
        for (String topic : names) {
            OutboxMetrics.TopicFigures figures = waiting.get(topic);
            Optional<Destination> destination = routing.resolve(topic);
            String broker = destination.map(d -> d.broker().configName()).orElse("none");
            rows.add(new DashboardSummary.Topic(topic, broker,
                    figures == null ? 0 : figures.backlog(),
                    figures == null ? 0 : figures.oldestAgeMillis() / 1000.0,
                    figures == null ? 0 : figures.parked(),
                    published.getOrDefault(topic, 0L),
                    publishFailures.getOrDefault(topic, 0L),
                    destination.map(d -> lagOf(topic, d, readers, lag)).orElse(null),
                    handled.getOrDefault(topic, 0L),
                    p95.get(topic),
                    failures.getOrDefault(topic, 0L),
                    retries.getOrDefault(topic, 0L),
                    deadLetters.getOrDefault(topic, 0L)));
        }
        return rows;
    }

    /** The lag of the consumers here that read the topic's destination; null when none does. */
    private static Long lagOf(String topic, Destination destination, List<ConsumeProperties.Consumer> readers,
                              Map<ConsumerMetrics.LagKey, Long> lag) {
        Long total = null;
        for (ConsumeProperties.Consumer consumer : readers) {
            if (consumer.broker() != destination.broker() || !reads(consumer, topic, destination)) {
                continue;
            }
            String source = consumer.broker() == Broker.KAFKA ? destination.name() : consumer.queueName();
            Long value = lag.get(new ConsumerMetrics.LagKey(consumer.name(), consumer.broker().configName(), source));
            if (value != null) {
                total = (total == null ? 0 : total) + value;
            }
        }
        return total;
    }

    private static boolean reads(ConsumeProperties.Consumer consumer, String topic, Destination destination) {
        return switch (consumer.broker()) {
            case KAFKA -> consumer.topics().contains(destination.name());
            case SQS -> consumer.queueName().equals(destination.name());
            case RABBITMQ -> destination.name().equals(consumer.exchange())
                    && consumer.topics().stream().anyMatch(key -> bindingMatches(key, topic));
        };
    }

    /** AMQP topic-exchange matching: words split by dots, {@code *} one word, {@code #} any number of words. */
    static boolean bindingMatches(String bindingKey, String routingKey) {
        return matches(bindingKey.split("\\.", -1), 0, routingKey.split("\\.", -1), 0);
    }

    private static boolean matches(String[] pattern, int p, String[] words, int w) {
        if (p == pattern.length) {
            return w == words.length;
        }
        if (pattern[p].equals("#")) {
            for (int next = w; next <= words.length; next++) {
                if (matches(pattern, p + 1, words, next)) {
                    return true;
                }
            }
            return false;
        }
        return w < words.length && (pattern[p].equals("*") || pattern[p].equals(words[w]))
                && matches(pattern, p + 1, words, w + 1);
    }

    private List<DashboardSummary.Consumer> consumerRows() {
        List<DashboardSummary.Consumer> rows = new ArrayList<>();
        consumerMetrics.lag().forEach((key, value) -> rows.add(new DashboardSummary.Consumer(key.consumer(),
                key.broker(), key.source(), value, camel.getRouteController().getRouteStatus(key.consumer())
                == ServiceStatus.Started)));
        rows.sort(Comparator.comparing(DashboardSummary.Consumer::consumer).thenComparing(DashboardSummary.Consumer::source));
        return rows;
    }

    private List<DashboardSummary.Circuit> circuitRows() {
        List<DashboardSummary.Circuit> rows = new ArrayList<>();
        for (Broker broker : Broker.values()) {
            CircuitBreaker.State state = circuits.of(broker).getState();
            String name = switch (state) {
                case OPEN, FORCED_OPEN -> "open";
                case HALF_OPEN -> "half-open";
                default -> "closed";
            };
            rows.add(new DashboardSummary.Circuit(broker.configName(), name));
        }
        return rows;
    }

    private List<DashboardSummary.JobQueue> jobQueues() {
        Map<String, JobQueueMetrics.QueueFigures> figures = jobMetrics.snapshot();
        Map<String, Long> succeeded = countersByTag("outbox.jobs.settled", "queue", "succeeded");
        Map<String, Long> failed = countersByTag("outbox.jobs.settled", "queue", "retry");
        countersByTag("outbox.jobs.settled", "queue", "failed").forEach((queue, value) -> failed.merge(queue, value, Long::sum));
        TreeSet<String> names = new TreeSet<>(figures.keySet());
        names.addAll(succeeded.keySet());
        names.addAll(failed.keySet());
        List<DashboardSummary.JobQueue> rows = new ArrayList<>();
        for (String queue : names) {
            JobQueueMetrics.QueueFigures queueFigures = figures.get(queue);
            rows.add(new DashboardSummary.JobQueue(queue,
                    queueFigures == null ? 0 : queueFigures.ready(),
                    queueFigures == null ? 0 : queueFigures.oldestReadyAgeMillis() / 1000.0,
                    queueFigures == null ? 0 : queueFigures.running(),
                    queueFigures == null ? 0 : queueFigures.scheduled(),
                    succeeded.getOrDefault(queue, 0L), failed.getOrDefault(queue, 0L)));
        }
        return rows;
    }

    /** Counter totals of one name summed per value of a tag; only those with the outcome given, if any. */
    private Map<String, Long> countersByTag(String name, String tag, String outcome) {
        Map<String, Long> totals = new HashMap<>();
        var search = meters.find(name);
        if (outcome != null) {
            search = search.tag("outcome", outcome);
        }
        for (Counter counter : search.counters()) {
            String value = counter.getId().getTag(tag);
            if (value != null) {
                totals.merge(value, Math.round(counter.count()), Long::sum);
            }
        }
        return totals;
    }

    /** The highest p95 of the consumers' processing timers per value of a tag, in milliseconds. */
    private Map<String, Double> p95ByTag(String tag) {
        Map<String, Double> p95 = new HashMap<>();
        for (Timer timer : meters.find("outbox.consumer.processing").timers()) {
            String value = timer.getId().getTag(tag);
            if (value == null || timer.count() == 0) {
                continue;
            }
            for (ValueAtPercentile percentile : timer.takeSnapshot().percentileValues()) {
                if (percentile.percentile() == 0.95) {
                    p95.merge(value, percentile.value(TimeUnit.MILLISECONDS), Math::max);
                }
            }
        }
        return p95;
    }
}
