package dev.outboxrelay.routing;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

/**
 * Resolves an event's topic to its {@link Destination}. Built once from {@link RoutingProperties};
 * a bad entry stops the service at start-up with a message naming the setting, so a typo never
 * turns into events sent to the wrong place.
 */
@Component
public class RoutingTable {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern TOPIC_PATTERN = Pattern.compile("[A-Za-z0-9._*-]{1,200}");
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern SQS_QUEUE = Pattern.compile("[A-Za-z0-9_-]{1,75}(\\.fifo)?");
    private static final Pattern RABBIT_EXCHANGE = Pattern.compile("[A-Za-z0-9._:-]{1,255}");
    private static final Pattern NOT_SQS_CHAR = Pattern.compile("[^A-Za-z0-9_-]");
    private static final String TOPIC_PLACEHOLDER = "{topic}";

    private final List<Rule> rules;
    private final Rule defaultRule;
    private final Map<String, Optional<Destination>> resolved = new ConcurrentHashMap<>();

    public RoutingTable(RoutingProperties properties) {
        List<String> problems = new ArrayList<>();
        List<Rule> built = new ArrayList<>();
        for (int i = 0; i < properties.routes().size(); i++) {
            String name = "outbox.routing.routes[" + i + "]";
            RoutingProperties.Entry entry = properties.routes().get(i);
            if (entry == null || entry.topic() == null || entry.topic().isBlank()) {
                problems.add(name + ".topic is required");
            } else if (!TOPIC_PATTERN.matcher(entry.topic()).matches()) {
                problems.add(name + ".topic '" + entry.topic() + "' may only hold letters, digits, '.', '_', '-' and '*'");
            }
            Rule rule = toRule(name, entry, problems);
            if (rule != null) {
                built.add(rule);
            }
        }
        Rule fallback = null;
        // a default route without a broker means none: unmatched topics are then refused
        if (properties.defaultRoute() != null && properties.defaultRoute().broker() != null) {
            fallback = toRule("outbox.routing.default-route", properties.defaultRoute(), problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid routing table: " + String.join("; ", problems));
        }
        this.rules = List.copyOf(built);
        this.defaultRule = fallback;
    }

    private static Rule toRule(String name, RoutingProperties.Entry entry, List<String> problems) {
        if (entry == null) {
            return null;
        }
        if (entry.broker() == null) {
            problems.add(name + ".broker is required (one of " + Broker.configNames() + ")");
            return null;
        }
        String destination = entry.destination() != null && !entry.destination().isBlank()
                ? entry.destination().strip()
                : defaultDestination(entry.broker());
        String sample = destination.replace(TOPIC_PLACEHOLDER, "topic");
        if (!validDestination(entry.broker(), sample)) {
            problems.add(name + ".destination '" + destination + "' is not a valid "
                    + destinationKind(entry.broker()) + " name");
            return null;
        }
        Pattern pattern = entry.topic() == null ? null : TopicPatterns.compile(entry.topic());
        return new Rule(pattern, entry.broker(), destination);
    }

    private static String defaultDestination(Broker broker) {
        return broker == Broker.RABBITMQ ? "outbox" : TOPIC_PLACEHOLDER;
    }

    private static boolean validDestination(Broker broker, String name) {
        return switch (broker) {
            case KAFKA -> KAFKA_TOPIC.matcher(name).matches();
            case SQS -> SQS_QUEUE.matcher(name).matches();
            case RABBITMQ -> RABBIT_EXCHANGE.matcher(name).matches();
        };
    }

    private static String destinationKind(Broker broker) {
        return switch (broker) {
            case KAFKA -> "Kafka topic";
            case SQS -> "SQS queue";
            case RABBITMQ -> "RabbitMQ exchange";
        };
    }

    /** Whether a topic name is acceptable at all: letters, digits, '.', '_' and '-', up to 200. */
    public static boolean isValidTopic(String topic) {
        return topic != null && TOPIC.matcher(topic).matches();
    }

    /** The destination of a topic, or empty when no entry matches and there is no default. */
    public Optional<Destination> resolve(String topic) {
        return resolved.computeIfAbsent(topic, this::lookup);
    }

    private Optional<Destination> lookup(String topic) {
        for (Rule rule : rules) {
            if (rule.pattern().matcher(topic).matches()) {
                return Optional.of(rule.destinationFor(topic));
            }
        }
        return Optional.ofNullable(defaultRule).map(rule -> rule.destinationFor(topic));
    }

    /** Every topic resolved so far and where it goes; a live, read-only view. */
    public Map<String, Optional<Destination>> knownTopics() {
        return java.util.Collections.unmodifiableMap(resolved);
    }

    /** The brokers some entry can send to: only these need to be reachable. */
    public Set<Broker> brokersInUse() {
        Set<Broker> brokers = EnumSet.noneOf(Broker.class);
        rules.forEach(rule -> brokers.add(rule.broker()));
        if (defaultRule != null) {
            brokers.add(defaultRule.broker());
        }
        return brokers;
    }

    private record Rule(Pattern pattern, Broker broker, String destination) {

        Destination destinationFor(String topic) {
            String value = broker == Broker.SQS ? NOT_SQS_CHAR.matcher(topic).replaceAll("-") : topic;
            return new Destination(broker, destination.replace(TOPIC_PLACEHOLDER, value));
        }
    }
}
