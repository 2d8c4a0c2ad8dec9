package dev.outboxrelay.api;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the HTTP intake.
 *
 * @param backpressure   when the intake refuses new work
 * @param referenceUsers the reference application ({@code POST /api/users})
 * @param maxBodySize    the largest request body under {@code /api}; larger ones are answered 413
 */
@ConfigurationProperties("outbox.intake")
@Validated
public record IntakeProperties(@DefaultValue @Valid Backpressure backpressure,
                               @DefaultValue @Valid ReferenceUsers referenceUsers,
                               @DefaultValue("1MB") @NotNull DataSize maxBodySize) {

    public IntakeProperties {
        if (maxBodySize != null && maxBodySize.toBytes() < 1) {
            throw new IllegalArgumentException("outbox.intake.max-body-size must be at least 1 byte, was " + maxBodySize);
        }
    }

    /**
     * Backpressure at the door: past a limit the intake answers {@code status} with Retry-After instead
     * of letting the backlog grow without bound, and takes work again once the backlog fell to
     * {@code resume-at} of the limit.
     *
     * @param maxOutboxBacklog due outbox events not yet published (parked ones excluded)
     * @param maxJobBacklog    due jobs waiting or running
     * @param resumeAt         the fraction of a limit the backlog must fall to before work is taken again
     * @param retryAfter       what the Retry-After header asks clients to wait
     * @param checkInterval    how often the backlogs are counted
     * @param status           429 (Too Many Requests) or 503 (Service Unavailable)
     */
    public record Backpressure(
            @DefaultValue("100000") @Min(1) long maxOutboxBacklog,
            @DefaultValue("100000") @Min(1) long maxJobBacklog,
            @DefaultValue("0.9") @DecimalMin("0.0") @DecimalMax("1.0") double resumeAt,
            @DefaultValue("5s") @NotNull Duration retryAfter,
            @DefaultValue("1s") @NotNull Duration checkInterval,
            @DefaultValue("503") int status) {

        public Backpressure {
            if (status != 429 && status != 503) {
                throw new IllegalArgumentException("outbox.intake.backpressure.status must be 429 or 503, was " + status);
            }
            if (retryAfter != null && retryAfter.toSeconds() < 1) {
                throw new IllegalArgumentException("outbox.intake.backpressure.retry-after must be at least 1s, was "
                        + retryAfter);
            }
            if (checkInterval != null && (checkInterval.isZero() || checkInterval.isNegative())) {
                throw new IllegalArgumentException("outbox.intake.backpressure.check-interval must be a positive "
                        + "duration, was " + checkInterval);
            }
        }
    }

    /** @param enabled whether {@code POST /api/users} and its welcome-notification worker run here */
    public record ReferenceUsers(@DefaultValue("false") boolean enabled) {
    }
}
