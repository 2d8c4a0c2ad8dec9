package dev.outboxrelay.brokers;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * RabbitMQ settings beyond Spring Boot's {@code spring.rabbitmq.*} connection settings.
 *
 * @param declareExchanges   declare each destination exchange (durable, topic) before its first publish
 * @param unroutableExchange where a declared exchange sends messages no queue is bound for, so they are
 *                           kept instead of dropped; empty to declare exchanges without one
 * @param confirmTimeout     how long a publish waits for the broker's confirm before it counts as failed
 */
@ConfigurationProperties("outbox.rabbitmq")
@Validated
public record RabbitSettings(
        @DefaultValue("true") boolean declareExchanges,
        @DefaultValue("outbox.unroutable") String unroutableExchange,
        @DefaultValue("5s") @NotNull Duration confirmTimeout) {
}
