package dev.outboxrelay.consume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.springframework.stereotype.Component;

import dev.outboxrelay.routing.TopicPatterns;

/**
 * Decides, for the consumers' dead-letter channel, whether a failed delivery is tried again and after
 * how long: exponential backoff per topic ({@code outbox.consume.redelivery}), and no retry at all for a
 * {@link PermanentEventException} or an exception listed in {@code outbox.consume.non-retryable}.
 *
 * <p>It is the channel's {@code retryWhile} predicate; {@link #onFailure(Exchange)}, its
 * {@code onExceptionOccurred} processor, sets the next delay and notes the attempt.
 */
@Component("consumerRedelivery")
public class ConsumerRedelivery implements Predicate {

    /** Exchange property: attempts made so far. */
    public static final String ATTEMPTS = "outboxAttempts";
    /** Exchange property: when the first attempt failed. */
    public static final String FIRST_FAILED_AT = "outboxFirstFailedAt";

    private final Policy defaults;
    private final List<Rule> rules = new ArrayList<>();
    private final List<Class<?>> nonRetryable = new ArrayList<>();
    private final Map<String, Policy> resolved = new ConcurrentHashMap<>();
    private final MeterRegistry meters;

    public ConsumerRedelivery(ConsumeProperties properties, MeterRegistry meters) {
        this.meters = meters;
        ConsumeProperties.Redelivery redelivery = properties.redelivery();
        List<String> problems = new ArrayList<>();
        defaults = new Policy(redelivery.initialDelay(), redelivery.multiplier(), redelivery.maxDelay(),
                redelivery.maxAttempts());
        check("outbox.consume.redelivery", defaults, problems);
        for (int i = 0; i < redelivery.topics().size(); i++) {
            ConsumeProperties.TopicRedelivery override = redelivery.topics().get(i);
            String name = "outbox.consume.redelivery.topics[" + i + "]";
            if (override.topic() == null || override.topic().isBlank()) {
                problems.add(name + ".topic is required");
                continue;
            }
            Policy policy = new Policy(
                    override.initialDelay() != null ? override.initialDelay() : defaults.initialDelay(),
                    override.multiplier() != null ? override.multiplier() : defaults.multiplier(),
                    override.maxDelay() != null ? override.maxDelay() : defaults.maxDelay(),
                    override.maxAttempts() != null ? override.maxAttempts() : defaults.maxAttempts());
            check(name, policy, problems);
            rules.add(new Rule(TopicPatterns.compile(override.topic()), policy));
        }
        for (int i = 0; i < properties.nonRetryable().size(); i++) {
            String className = properties.nonRetryable().get(i);
            try {
                nonRetryable.add(Class.forName(className.strip(), false, getClass().getClassLoader()));
            } catch (ClassNotFoundException e) {
                problems.add("outbox.consume.non-retryable[" + i + "] '" + className + "' is not a class");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid consumer redelivery settings: " + String.join("; ", problems));
        }
    }

    private static void check(String name, Policy policy, List<String> problems) {
        if (policy.initialDelay().isNegative() || policy.initialDelay().isZero()) {
            problems.add(name + ".initial-delay must be positive");
        }
        if (policy.maxDelay().compareTo(policy.initialDelay()) < 0) {
            problems.add(name + ".max-delay must be at least initial-delay");
        }
        if (policy.multiplier() < 1.0) {
            problems.add(name + ".multiplier must be 1.0 or more");
        }
        if (policy.maxAttempts() < 1) {
            problems.add(name + ".max-attempts must be 1 or more");
        }
    }

    /** The redelivery policy of a topic. */
    public Policy policyOf(String topic) {
        return resolved.computeIfAbsent(topic, key -> rules.stream()
                .filter(rule -> rule.topic().matcher(key).matches())
                .map(Rule::policy)
                .findFirst()
                .orElse(defaults));
    }

    /** retryWhile: another attempt unless the failure is permanent or the topic's attempts are used up. */
    @Override
    public boolean matches(Exchange exchange) {
        Throwable failure = exchange.getException();
        if (failure == null) {
            failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        if (isPermanent(failure) || exchange.getProperty(ConsumedEvents.HELD) != null) {
            return false;
        }
        ConsumedEvent event = ConsumedEvents.event(exchange);
        int attempts = exchange.getProperty(ATTEMPTS, 1, Integer.class);
        return event != null && attempts < policyOf(event.topic()).maxAttempts();
    }

    /** Whether a failure skips redelivery: a {@link PermanentEventException} or a configured type anywhere in its causes. */
    public boolean isPermanent(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PermanentEventException) {
                return true;
            }
            for (Class<?> type : nonRetryable) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * onExceptionOccurred: counts the attempt and sets the wait before the next one. Camel calls it
     * before {@link #matches(Exchange)}, so the retry counted here is the one that predicate grants.
     */
    public void onFailure(Exchange exchange) {
        int attempts = exchange.getProperty(ATTEMPTS, 0, Integer.class) + 1;
        exchange.setProperty(ATTEMPTS, attempts);
        if (exchange.getProperty(FIRST_FAILED_AT) == null) {
            exchange.setProperty(FIRST_FAILED_AT, Instant.now());
        }
        // the error handler's line about this failure follows: it is about the attempt that just failed
        ConsumedEvents.updateLogContext(exchange, attempts - 1);
        ConsumedEvent event = ConsumedEvents.event(exchange);
        Policy policy = event == null ? defaults : policyOf(event.topic());
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, policy.delayBefore(attempts + 1).toMillis());
        if (event != null) {
            count("outbox.consumer.failures", "Failed handling attempts (each retry that fails counts again)", event);
            if (matches(exchange)) {
                count("outbox.consumer.retries", "Redeliveries inside the consumer after a failed attempt", event);
            }
        }
    }

    private void count(String name, String description, ConsumedEvent event) {
        Counter.builder(name).description(description)
                .tag("consumer", event.consumer())
                .tag("broker", event.broker().configName())
                .tag("topic", event.topic())
                .register(meters)
                .increment();
    }

    /**
     * @param initialDelay the wait before the second attempt
     * @param multiplier   growth per further attempt
     * @param maxDelay     the cap
     * @param maxAttempts  attempts in all
     */
    public record Policy(Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts) {

        /** The wait before attempt number {@code attempt} (2 for the first redelivery). */
        public Duration delayBefore(int attempt) {
            double millis = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 2));
            return Duration.ofMillis((long) Math.min(millis, maxDelay.toMillis()));
        }

        /** The longest time all waits of one delivery add up to. */
        public Duration totalDelay() {
            Duration total = Duration.ZERO;
            for (int attempt = 2; attempt <= maxAttempts; attempt++) {
                total = total.plus(delayBefore(attempt));
            }
            return total;
        }
    }

    private record Rule(Pattern topic, Policy policy) {
    }
}
