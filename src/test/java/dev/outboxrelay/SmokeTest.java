package dev.outboxrelay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.outboxrelay.support.RelayTestSupport;

class SmokeTest extends RelayTestSupport {

    @Test
    void relaysToEveryBroker() {
        String id = unique();
        for (String topic : new String[] {"kafka.smoke-" + id, "sqs.smoke-" + id, "sqsfifo.smoke-" + id, "rabbit.smoke-" + id}) {
            writer.write(event(topic, "agg-1", 1));
            awaitAllPublished(topic, Duration.ofSeconds(30));
            assertThat(published(topic)).isEqualTo(1);
        }
    }
}
