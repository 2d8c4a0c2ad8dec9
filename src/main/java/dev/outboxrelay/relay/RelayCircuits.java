package dev.outboxrelay.relay;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outboxrelay.routing.Broker;
import dev.outboxrelay.routing.Destination;
import dev.outboxrelay.routing.RoutingTable;

/**
 * One circuit breaker per broker, used by the sink routes' {@code circuitBreaker} EIP
 * (camel-resilience4j). A unit that finds its broker unreachable counts as a failed call; once enough
 * calls failed the circuit opens, the relay stops claiming the topics routed to that broker (they wait
 * safely in the outbox) while the other brokers keep flowing, and after
 * {@code outbox.relay.circuit-breaker.open-for} a half-open probe lets a batch through to see whether
 * the broker is back. A rejected event (poison) says nothing about the broker and is not counted.
 */
@Component("relayCircuits")
public class RelayCircuits {

    private static final Logger log = LoggerFactory.getLogger(RelayCircuits.class);

    private final Map<Broker, CircuitBreaker> circuits = new EnumMap<>(Broker.class);
    private final RoutingTable routing;

    public RelayCircuits(RelayProperties properties, RoutingTable routing, MeterRegistry meters) {
        this.routing = routing;
        RelayProperties.CircuitBreaker settings = properties.circuitBreaker();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .failureRateThreshold(settings.failureRatePercent())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                // without it an open circuit would wait for a call that the paused claim never makes
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordExceptions(BrokerUnreachableException.class)
                .build();
        for (Broker broker : Broker.values()) {
            CircuitBreaker circuit = CircuitBreaker.of("outbox-relay-" + broker.configName(), config);
            circuit.getEventPublisher().onStateTransition(event -> log.warn("Circuit breaker for {}: {}",
                    broker.configName(), event.getStateTransition()));
            Gauge.builder("outbox.relay.circuit.state", circuit, RelayCircuits::stateValue)
                    .description("Circuit breaker per broker: 0 closed, 1 open, 2 half-open")
                    .tag("broker", broker.configName())
                    .register(meters);
            circuits.put(broker, circuit);
        }
    }

    private static double stateValue(CircuitBreaker circuit) {
        return switch (circuit.getState()) {
            case OPEN, FORCED_OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 0;
        };
    }

    /** The circuit breaker of a broker, for the sink routes. */
    public CircuitBreaker of(Broker broker) {
        return circuits.get(broker);
    }

    public boolean isOpen(Broker broker) {
        CircuitBreaker.State state = circuits.get(broker).getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    /** Topics the claim leaves alone because their broker's circuit is open. */
    public List<String> pausedTopics() {
        List<String> paused = new ArrayList<>();
        if (circuits.values().stream().noneMatch(c -> c.getState() == CircuitBreaker.State.OPEN
                || c.getState() == CircuitBreaker.State.FORCED_OPEN)) {
            return paused;
        }
        routing.knownTopics().forEach((topic, destination) -> {
            if (destination.isPresent() && isOpen(destination.get().broker())) {
                paused.add(topic);
            }
        });
        return paused;
    }

    /**
     * The last step inside a sink's circuit breaker: fails the call when some event of the unit found
     * the broker unreachable, so that only unreachability moves the circuit towards open.
     */
    public void raiseIfUnreachable(Exchange exchange) {
        SendUnit unit = unitOf(exchange);
        for (RelayEvent event : unit.events()) {
            if (event.outcome() == RelayEvent.Outcome.FAILED && !event.rejected()) {
                throw new BrokerUnreachableException(unit.destination(), event.error());
            }
        }
    }

    /**
     * The circuit breaker's fallback: when the call was not even made (the circuit is open), the unit's
     * events fail as unreachable without touching the broker; otherwise they already have their outcome.
     */
    public void fallback(Exchange exchange) {
        SendUnit unit = unitOf(exchange);
        Destination destination = unit.destination();
        unit.failRemaining("not sent: the circuit breaker for " + destination.broker().configName()
                + " is open after repeated failures to reach it", false);
    }

    /** The unit a sink prepared, or, when the open circuit stopped it before that, the one it received. */
    private static SendUnit unitOf(Exchange exchange) {
        SendUnit prepared = exchange.getProperty(SendUnit.PROPERTY, SendUnit.class);
        return prepared != null ? prepared : exchange.getIn().getBody(SendUnit.class);
    }

    /** A unit found its broker unreachable: the failure the circuit breakers count. */
    public static final class BrokerUnreachableException extends RuntimeException {

        BrokerUnreachableException(Destination destination, String error) {
            super(destination + " unreachable: " + error, null, false, false);
        }
    }
}
