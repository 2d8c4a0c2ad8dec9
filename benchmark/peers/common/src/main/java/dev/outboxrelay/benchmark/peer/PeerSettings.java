package dev.outboxrelay.benchmark.peer;

/**
 * What the harness tells a peer process, as {@code -Dbench.*} system properties.
 *
 * @param jdbcUrl        the benchmark database
 * @param dbUser         its user (no password: the embedded server trusts local connections)
 * @param kafka          bootstrap servers
 * @param topic          the Kafka topic a peer with a fixed destination writes to
 * @param aggregates     how many aggregates the events are spread over
 * @param consumeTopic   for the pipeline scenario: the topic the idempotent consumer reads; empty for none
 * @param consumerGroup  its consumer group
 */
public record PeerSettings(String jdbcUrl, String dbUser, String kafka, String topic, int aggregates,
                           String consumeTopic, String consumerGroup) {

    public static PeerSettings fromSystemProperties() {
        return new PeerSettings(
                required("bench.jdbc-url"),
                System.getProperty("bench.db-user", "postgres"),
                System.getProperty("bench.kafka", ""),
                System.getProperty("bench.topic", ""),
                Integer.getInteger("bench.aggregates", 1000),
                System.getProperty("bench.consume-topic", ""),
                System.getProperty("bench.consumer-group", "bench-consumer"));
    }

    public boolean consumes() {
        return !consumeTopic.isBlank();
    }

    private static String required(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("-D" + name + " is required");
        }
        return value;
    }
}
