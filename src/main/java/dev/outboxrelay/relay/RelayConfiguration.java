package dev.outboxrelay.relay;

import java.util.concurrent.ExecutorService;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.outboxrelay.routing.Broker;
import dev.outboxrelay.wake.WorkerPools;

@Configuration(proxyBeanMethods = false)
public class RelayConfiguration {

    /** The sink routes' circuit breakers, by the names their templates refer to. */
    @Bean
    public CircuitBreaker kafkaCircuit(RelayCircuits circuits) {
        return circuits.of(Broker.KAFKA);
    }

    @Bean
    public CircuitBreaker sqsCircuit(RelayCircuits circuits) {
        return circuits.of(Broker.SQS);
    }

    @Bean
    public CircuitBreaker rabbitmqCircuit(RelayCircuits circuits) {
        return circuits.of(Broker.RABBITMQ);
    }

    /**
     * Threads that send one wave's units in parallel. A wave is at most one batch, and a rejected unit
     * would be an event neither sent nor failed, so the pool never rejects.
     */
    @Bean(destroyMethod = "shutdown")
    public ExecutorService relaySendPool(RelayProperties properties) {
        return WorkerPools.fixed("outbox-relay-send", properties.sendThreads());
    }
}
