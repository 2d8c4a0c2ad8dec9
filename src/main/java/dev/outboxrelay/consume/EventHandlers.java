package dev.outboxrelay.consume;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import dev.outboxrelay.routing.TopicPatterns;

/**
 * Finds the handler bean of an event by topic and event type ({@code outbox.consume.handlers}, first
 * match wins) and runs it: the last step of the consumer's transaction. An event no handler is mapped
 * to cannot be handled by retrying, so it is dead-lettered at once. Every mapping must name an
 * {@link EventHandler} bean, or the service does not start.
 */
@Component("eventHandlers")
public class EventHandlers implements SmartInitializingSingleton {

    private final ConsumeProperties properties;
    private final BeanFactory beans;
    private final HandlerTracing tracing;
    private final List<Mapping> mappings = new ArrayList<>();
    private final Map<String, Optional<Mapping>> resolved = new ConcurrentHashMap<>();

    public EventHandlers(ConsumeProperties properties, BeanFactory beans, HandlerTracing tracing) {
        this.properties = properties;
        this.beans = beans;
        this.tracing = tracing;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> problems = new ArrayList<>();
        List<ConsumeProperties.HandlerMapping> configured = properties.handlers();
        for (int i = 0; i < configured.size(); i++) {
            String name = "outbox.consume.handlers[" + i + "]";
            ConsumeProperties.HandlerMapping mapping = configured.get(i);
            if (mapping.topic() == null || mapping.topic().isBlank()) {
                problems.add(name + ".topic is required");
                continue;
            }
            if (mapping.bean() == null || mapping.bean().isBlank()) {
                problems.add(name + ".bean is required");
                continue;
            }
            if (!beans.containsBean(mapping.bean()) || !beans.isTypeMatch(mapping.bean(), EventHandler.class)) {
                problems.add(name + ".bean '" + mapping.bean() + "' is not a bean implementing " + EventHandler.class.getName());
                continue;
            }
            String type = mapping.eventType() == null || mapping.eventType().isBlank() ? "*" : mapping.eventType();
            mappings.add(new Mapping(TopicPatterns.compile(mapping.topic()), TopicPatterns.compile(type),
                    beans.getBean(mapping.bean(), EventHandler.class), mapping.bean()));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid handler mappings: " + String.join("; ", problems));
        }
    }

    /** The handler bean's name for a topic and event type, if one is mapped. */
    public Optional<String> handlerOf(String topic, String eventType) {
        return find(topic, eventType).map(Mapping::beanName);
    }

    /**
     * Runs the event's handler inside the consumer's transaction. A Kafka record whose handler already
     * failed when its batch was handled together gets that failure again here instead: it was the first
     * attempt, so the dead-letter channel counts it and waits before running the handler again.
     */
    public void handle(Exchange exchange) throws Exception {
        ConsumedEvent event = ConsumedEvents.event(exchange);
        int redeliveries = exchange.getProperty(ConsumerRedelivery.ATTEMPTS, 0, Integer.class);
        ConsumedEvents.updateLogContext(exchange, redeliveries);
        Exception failedTogether = exchange.getProperty(KafkaBatches.FAILED_TOGETHER, Exception.class);
        if (failedTogether != null) {
            exchange.removeProperty(KafkaBatches.FAILED_TOGETHER);
            throw failedTogether;
        }
        handle(event);
        exchange.setProperty(ConsumedEvents.OUTCOME, ConsumedEvents.HANDLED);
    }

    /** Runs the event's handler in the transaction bound to the thread. */
    void handle(ConsumedEvent event) throws Exception {
        Mapping mapping = find(event.topic(), event.eventType()).orElseThrow(() -> new PermanentEventException(
                "no handler is mapped to topic '" + event.topic() + "' and event type '" + event.eventType()
                        + "' (outbox.consume.handlers)"));
        tracing.inSpan(event, () -> mapping.handler().handle(event));
    }

    private Optional<Mapping> find(String topic, String eventType) {
        return resolved.computeIfAbsent(topic + '\u0000' + eventType, key -> mappings.stream()
                .filter(mapping -> mapping.topic().matcher(topic).matches()
                        && mapping.eventType().matcher(eventType).matches())
                .findFirst());
    }

    private record Mapping(Pattern topic, Pattern eventType, EventHandler handler, String beanName) {
    }
}
