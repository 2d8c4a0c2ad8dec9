package dev.outboxrelay.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * ADAPTER TO FILL IN after merging issue 4 (idempotent broker consumers, package
 * {@code dev.outboxrelay.consume}): how ours runs the pipeline scenario. The relay process then also
 * consumes the topic with its own idempotent Kafka consumer route and a no-op handler, and the
 * scenario needs to know when each event was handled.
 *
 * <p>To fill in: {@link #properties} (the consumer settings that make the relay process consume
 * {@code run.topic()} as consumer {@code run.consumerGroup()} with a no-op handler), {@link #handledSql}
 * (how many events were handled, and when), and then make {@link #unsupported} answer null.
 */
final class OursPipeline {

    /** Why ours cannot run the pipeline yet, or null. */
    String unsupported() {
        if (!Files.isDirectory(Path.of("target/classes/dev/outboxrelay/consume"))) {
            return "needs the idempotent consumers of issue 4 (dev.outboxrelay.consume), not in this branch yet";
        }
        return "issue 4 is merged: fill in the adapter OursPipeline (consumer settings, handled-times query)";
    }

    /** Spring properties that make the relay process consume the run's topic (issue 4's settings). */
    Map<String, String> properties(RelaySystem.Run run) {
        throw new UnsupportedOperationException("OursPipeline.properties: " + unsupported());
    }

    /**
     * A query answering, for consumer {@code group}, one row per handled event: its number
     * ({@code n}, the benchmark payload's field) and when it was handled ({@code handled_micros},
     * microseconds since the epoch), e.g. from issue 4's processed-keys table.
     */
    String handledSql(String group) {
        throw new UnsupportedOperationException("OursPipeline.handledSql: " + unsupported());
    }
}
