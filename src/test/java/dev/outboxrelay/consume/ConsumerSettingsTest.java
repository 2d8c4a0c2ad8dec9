package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/** A wrong consumer setting stops the service at start-up with a message naming the setting. */
class ConsumerSettingsTest extends RelayTestSupport {

    @Test
    void kafkaConsumerWithoutTopicsNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.consume.consumers[0].name", "orders-worker",
                "outbox.consume.consumers[0].broker", "kafka")))
                .contains("outbox.consume.consumers[0].topics is required for a Kafka consumer");
    }

    @Test
    void sqsVisibilityTimeoutShorterThanTheRedeliveriesIsRefused() {
        assertThat(startupFailure(Map.of("outbox.consume.consumers[0].name", "payments-worker",
                "outbox.consume.consumers[0].broker", "sqs",
                "outbox.consume.consumers[0].queue", "payments.fifo",
                "outbox.consume.consumers[0].visibility-timeout", "5s")))
                .contains("outbox.consume.consumers[0].visibility-timeout (PT5S) must be at least");
    }

    @Test
    void sqsLongPollLongerThanTheClientsCallTimeoutIsRefused() {
        assertThat(startupFailure(Map.of("outbox.consume.consumers[0].name", "payments-worker",
                "outbox.consume.consumers[0].broker", "sqs",
                "outbox.consume.consumers[0].queue", "payments.fifo",
                "outbox.consume.consumers[0].wait-time", "20s")))
                .contains("outbox.consume.consumers[0].wait-time (PT20S) must be shorter than outbox.sqs.api-call-timeout (PT5S)");
    }

    @Test
    void handlerMappingToAMissingBeanNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.consume.handlers[0].topic", "orders.*",
                "outbox.consume.handlers[0].bean", "noSuchHandler")))
                .contains("outbox.consume.handlers[0].bean 'noSuchHandler' is not a bean implementing");
    }

    @Test
    void unknownNonRetryableExceptionClassIsRefused() {
        assertThat(startupFailure(Map.of("outbox.consume.non-retryable[0]", "com.example.NoSuchException")))
                .contains("outbox.consume.non-retryable[0] 'com.example.NoSuchException' is not a class");
    }

    private String startupFailure(Map<String, Object> settings) {
        try (RelayInstance instance = RelayInstance.start("invalid-" + unique(), settings)) {
            throw new AssertionError("started despite " + settings);
        } catch (RuntimeException e) {
            List<String> messages = new ArrayList<>();
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                messages.add(String.valueOf(cause.getMessage()));
            }
            return String.join("\n", messages);
        }
    }
}
