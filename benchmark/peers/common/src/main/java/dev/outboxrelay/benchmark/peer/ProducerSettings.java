package dev.outboxrelay.benchmark.peer;

import java.util.Properties;

/**
 * The Kafka producer settings the relay ships with (application.yaml, camel.component.kafka), given to
 * every peer that produces with kafka-clients, so the comparison is of the relays and not of the
 * producers.
 */
public final class ProducerSettings {

    private ProducerSettings() {
    }

    public static Properties relayDefaults(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("acks", "all");
        properties.put("enable.idempotence", "true");
        properties.put("max.in.flight.requests.per.connection", "5");
        properties.put("linger.ms", "1");
        properties.put("batch.size", "262144");
        properties.put("compression.type", "lz4");
        properties.put("max.block.ms", "5000");
        properties.put("request.timeout.ms", "5000");
        properties.put("delivery.timeout.ms", "15000");
        properties.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        properties.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        return properties;
    }
}
