package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.outboxrelay.routing.Broker;

/**
 * A dead-lettered event as the dead-letter ledger keeps it: the original message, where it came from,
 * the error, the attempt count and the timestamps.
 *
 * @param id             the ledger row's id, used by the admin API
 * @param consumer       the consumer that gave up on it
 * @param broker         the broker it came from
 * @param source         the Kafka topic, SQS queue or RabbitMQ queue it was read from (and is replayed to)
 * @param topic          the event's topic
 * @param eventId        the event's id
 * @param eventType      the event's type
 * @param aggregateId    the event's aggregate
 * @param dedupeKey      the event's dedupe key, kept on replay
 * @param schemaVersion  the event's schema version
 * @param headers        the event's headers as received
 * @param payload        the event's body
 * @param error          the last error
 * @param attempts       delivery attempts made before it was dead-lettered
 * @param createdAt      when the event was written to the outbox, if known
 * @param firstFailedAt  when its first attempt failed
 * @param deadLetteredAt when it was dead-lettered (last time, if it was replayed and failed again)
 * @param replayCount    how often it was replayed
 * @param replayedAt     when it was last replayed; null while it waits for an operator
 */
public record DeadLetter(UUID id, String consumer, Broker broker, String source, String topic, String eventId,
                         String eventType, String aggregateId, String dedupeKey, int schemaVersion,
                         Map<String, String> headers, String payload, String error, int attempts, Instant createdAt,
                         Instant firstFailedAt, Instant deadLetteredAt, int replayCount, Instant replayedAt) {

    /** {@code dead} while waiting, {@code replayed} once sent back to its source. */
    @JsonProperty("status")
    public String status() {
        return replayedAt == null ? "dead" : "replayed";
    }
}
