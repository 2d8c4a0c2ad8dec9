package dev.outboxrelay.observe;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param refresh how often the gauges read from the database and the brokers are refreshed
 *                (see {@link MetricsRefresh})
 */
@ConfigurationProperties("outbox.metrics")
@Validated
public record MetricsProperties(@DefaultValue("5s") @NotNull Duration refresh) {

    public MetricsProperties {
        if (refresh != null && (refresh.isZero() || refresh.isNegative())) {
            throw new IllegalArgumentException("outbox.metrics.refresh must be a positive duration, was " + refresh);
        }
    }
}
