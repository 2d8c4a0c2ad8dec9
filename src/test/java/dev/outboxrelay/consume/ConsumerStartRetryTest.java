package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.RelayInstance;

/**
 * A configured consumer whose broker is unreachable while the service starts is started once the
 * broker is back, and the service's other consumers start meanwhile.
 */
class ConsumerStartRetryTest extends ConsumerTestSupport {

    @Test
    void consumerWhoseBrokerIsDownAtStartUpStartsOnceItIsBackAndTheOthersStartMeanwhile() throws Exception {
        String sqsTopic = consumeTopic(BrokerProbe.Kind.SQS, unique());
        String rabbitTopic = consumeTopic(BrokerProbe.Kind.RABBITMQ, unique());
        String sqsConsumer = "c-" + sqsTopic;
        String rabbitConsumer = "c-" + rabbitTopic;
        Map<String, Object> settings = Map.of(
                "outbox.relay.enabled", "false",
                "outbox.consume.consumers[0].name", sqsConsumer,
                "outbox.consume.consumers[0].broker", "sqs",
                "outbox.consume.consumers[0].queue", destinationOf(BrokerProbe.Kind.SQS, sqsTopic),
                "outbox.consume.consumers[0].wait-time", "1s",
                "outbox.consume.consumers[1].name", rabbitConsumer,
                "outbox.consume.consumers[1].broker", "rabbitmq",
                "outbox.consume.consumers[1].topics[0]", rabbitTopic,
                "outbox.consume.consumers[1].exchange", destinationOf(BrokerProbe.Kind.RABBITMQ, rabbitTopic));
        servers().sqs().proxy().cut();
        try (RelayInstance instance = RelayInstance.start("start-retry-" + unique(), settings)) {
            assertThat(instance.camel().getRoute(rabbitConsumer)).as("the RabbitMQ consumer started").isNotNull();
            assertThat(instance.camel().getRoute(sqsConsumer)).as("no SQS consumer while SQS is away").isNull();
            servers().sqs().proxy().restore();

            await("the SQS consumer started", Duration.ofSeconds(60),
                    () -> instance.camel().getRoute(sqsConsumer) != null);
            String sqsKey = sqsTopic + ":1";
            String rabbitKey = rabbitTopic + ":1";
            writer.write(scripted(sqsTopic, "agg-1", sqsKey, Map.of()));
            writer.write(scripted(rabbitTopic, "agg-1", rabbitKey, Map.of()));
            await("both events handled", Duration.ofSeconds(60),
                    () -> effects(sqsConsumer, sqsKey) == 1 && effects(rabbitConsumer, rabbitKey) == 1);
        } finally {
            servers().sqs().proxy().restore();
        }
    }
}
