package dev.outboxrelay.relay;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the relay that moves outbox events to the brokers.
 *
 * @param enabled      whether this instance relays at all (a worker-only instance sets false)
 * @param instanceId   this instance's name in slot leases; defaults to the host name plus a random suffix
 * @param batchSize    events claimed per statement; larger batches amortise the round trips
 * @param lease        how long a batch may hold its claimed events without a word to the database (the
 *                     batch transaction's idle_in_transaction_session_timeout); must outlast a publish
 * @param pollInterval how often the relay looks for due events when no notification has woken it
 * @param listenNotify whether to wake on PostgreSQL LISTEN/NOTIFY as soon as events are committed
 * @param maxAttempts  rejected publishes of one event before it is parked
 * @param backoff      the wait between attempts of a failed event
 * @param slots        how the relay instances share the outbox between them
 * @param lanes        claim loops per instance, each over its own share of the instance's slots, so
 *                     that one lane's database statements overlap with another's broker round trip
 * @param sendThreads  threads publishing the units of one wave in parallel
 * @param maxBytes     the largest event (payload and headers) each broker takes
 * @param kafkaPipelining send several events of one aggregate to Kafka without waiting for each
 *                     acknowledgement; see {@link RelayBatch} for the trade-off
 * @param circuitBreaker when a broker counts as down, and for how long the relay leaves it alone
 * @param rateLimits   per-topic publish rate limits
 * @param activityLogInterval how often the relay logs what it did (0 for never)
 */
@ConfigurationProperties("outbox.relay")
@Validated
public record RelayProperties(
        @DefaultValue("true") boolean enabled,
        String instanceId,
        @DefaultValue("1000") @Min(1) @Max(10000) int batchSize,
        @DefaultValue("30s") @NotNull Duration lease,
        @DefaultValue("1s") @NotNull Duration pollInterval,
        @DefaultValue("true") boolean listenNotify,
        @DefaultValue("10") @Min(1) int maxAttempts,
        @DefaultValue @Valid Backoff backoff,
        @DefaultValue @Valid Slots slots,
        @DefaultValue("2") @Min(1) @Max(16) int lanes,
        @DefaultValue("8") @Min(1) @Max(256) int sendThreads,
        @DefaultValue @Valid MaxBytes maxBytes,
        @DefaultValue("false") boolean kafkaPipelining,
        @DefaultValue @Valid CircuitBreaker circuitBreaker,
        @DefaultValue List<@Valid RateLimit> rateLimits,
        @DefaultValue("1m") @NotNull Duration activityLogInterval) {

    public RelayProperties {
        if (activityLogInterval != null && activityLogInterval.isNegative()) {
            throw new IllegalArgumentException("outbox.relay.activity-log-interval must not be negative, was "
                    + activityLogInterval);
        }
        requirePositive("outbox.relay.lease", lease);
        requirePositive("outbox.relay.poll-interval", pollInterval);
    }

    /**
     * Exponential backoff between attempts, with +-20% jitter so retries of many events spread out.
     *
     * @param initial    the wait after the first failure
     * @param multiplier the growth per further failure
     * @param max        the longest wait
     */
    public record Backoff(
            @DefaultValue("1s") @NotNull Duration initial,
            @DefaultValue("2.0") @DecimalMin("1.0") double multiplier,
            @DefaultValue("5m") @NotNull Duration max) {

        public Backoff {
            requirePositive("outbox.relay.backoff.initial", initial);
            requirePositive("outbox.relay.backoff.max", max);
        }
    }

    /**
     * The outbox is split into 64 slots by aggregate; each slot is leased to one instance at a time,
     * which is what keeps per-aggregate order when several instances run.
     *
     * @param heartbeat how often an instance renews its slots and rebalances
     * @param ttl       how long a slot lease lasts without renewal: the failover time after a crash
     */
    public record Slots(
            @DefaultValue("2s") @NotNull Duration heartbeat,
            @DefaultValue("10s") @NotNull Duration ttl) {

        public Slots {
            requirePositive("outbox.relay.slots.heartbeat", heartbeat);
            requirePositive("outbox.relay.slots.ttl", ttl);
            if (heartbeat != null && ttl != null && ttl.compareTo(heartbeat.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("outbox.relay.slots.ttl (" + ttl
                        + ") must be at least twice outbox.relay.slots.heartbeat (" + heartbeat + ")");
            }
        }
    }

    /**
     * Size limits checked before sending, so an oversized event is refused with a clear error instead
     * of failing inside a broker batch.
     *
     * @param kafka    keep at or below the producer's max.request.size and the broker's message.max.bytes
     * @param sqs      SQS takes at most 256 KiB per message
     * @param rabbitmq keep at or below the broker's max_message_size
     */
    public record MaxBytes(
            @DefaultValue("1000000") @Min(1) int kafka,
            @DefaultValue("262144") @Min(1) @Max(262144) int sqs,
            @DefaultValue("16777216") @Min(1) int rabbitmq) {
    }

    /**
     * A circuit breaker per broker (resilience4j, counting send units).
     *
     * @param window             the last this many units decide
     * @param minimumCalls       units needed before the circuit may open
     * @param failureRatePercent share of units that found the broker unreachable that opens the circuit
     * @param openFor            how long an open circuit keeps the broker's topics unclaimed before a probe
     * @param halfOpenCalls      probe units that must succeed to close the circuit again
     */
    public record CircuitBreaker(
            @DefaultValue("10") @Min(1) int window,
            @DefaultValue("5") @Min(1) int minimumCalls,
            @DefaultValue("50") @DecimalMin("1") @Max(100) float failureRatePercent,
            @DefaultValue("10s") @NotNull Duration openFor,
            @DefaultValue("2") @Min(1) int halfOpenCalls) {

        public CircuitBreaker {
            requirePositive("outbox.relay.circuit-breaker.open-for", openFor);
        }
    }

    /**
     * A publish rate limit.
     *
     * @param topic     a topic name or pattern ({@code *} for any run of characters); each matching topic
     *                  gets a limit of its own
     * @param perSecond events per second
     */
    public record RateLimit(@NotBlank String topic, @DecimalMin("0.1") double perSecond) {
    }

    private static void requirePositive(String name, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
    }
}
