package dev.outboxrelay.completion;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of completion push to browsers (server-sent events).
 *
 * @param pollInterval   how often this instance looks for completions recorded by other instances
 *                       (its own wake it at once)
 * @param sseTimeout     how long one server-sent-event response stays open; the browser then reconnects
 *                       with Last-Event-ID and misses nothing
 * @param heartbeat      how often an idle stream gets a comment line, so proxies keep it open and
 *                       dead clients are noticed
 * @param reconnectDelay the reconnection delay the stream asks browsers to use
 * @param replayLimit    completions sent at most on reconnection; a client away for longer reads the
 *                       status endpoints
 */
@ConfigurationProperties("outbox.completions")
@Validated
public record CompletionsProperties(
        @DefaultValue("500ms") @NotNull Duration pollInterval,
        @DefaultValue("30m") @NotNull Duration sseTimeout,
        @DefaultValue("15s") @NotNull Duration heartbeat,
        @DefaultValue("2s") @NotNull Duration reconnectDelay,
        @DefaultValue("1000") @Min(1) @Max(100000) int replayLimit) {

    public CompletionsProperties {
        requirePositive("outbox.completions.poll-interval", pollInterval);
        requirePositive("outbox.completions.sse-timeout", sseTimeout);
        requirePositive("outbox.completions.heartbeat", heartbeat);
        requirePositive("outbox.completions.reconnect-delay", reconnectDelay);
    }

    private static void requirePositive(String name, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
    }
}
