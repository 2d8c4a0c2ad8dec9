package dev.outboxrelay.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;

/**
 * The handler's writes and the processed key are one transaction: a failure after the handler wrote,
 * or the database connection dying under it, leaves neither behind, and the redelivery applies the
 * event once.
 */
class TransactionCrashTest extends ConsumerTestSupport {

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void failureAfterTheHandlerWroteRollsBackEffectAndKey(BrokerProbe.Kind kind) {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        String key = topic + ":half-done";
        writer.write(scripted(topic, "agg-1", key, Map.of("failAfterWrite", 1)));

        await("applied by the redelivery", Duration.ofSeconds(30), () -> effects(consumer, key) == 1);
        assertThat(handler.attempts(consumer, key)).isEqualTo(2);
        assertThat(effects(consumer, key)).as("the first attempt's write was rolled back").isEqualTo(1);
        assertThat(processedKeys(consumer)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void connectionKilledInsideTheTransactionLeavesNothingAndRedeliveryAppliesOnce(BrokerProbe.Kind kind)
            throws Exception {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        String key = topic + ":crash";
        writer.write(scripted(topic, "agg-1", key, Map.of("hold", key)));
        assertThat(handler.awaitArrival(key, 30)).as("handler inside its transaction").isTrue();

        // the transaction has written the processed key and the effect, not committed: kill its backend
        assertThat(killHeldHandlerTransaction()).isEqualTo(1);
        assertThat(effects(consumer, key)).isZero();
        assertThat(processedKeys(consumer)).isZero();
        handler.open(key);

        await("applied by the redelivery", Duration.ofSeconds(30), () -> effects(consumer, key) == 1);
        assertThat(handler.attempts(consumer, key)).as("the crashed attempt and the redelivery").isEqualTo(2);
        assertThat(processedKeys(consumer)).isEqualTo(1);
        assertThat(deadLetters(consumer)).isZero();
    }
}
