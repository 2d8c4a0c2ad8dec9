package dev.outboxrelay.demo;

import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.outboxrelay.OutboxRelayApplication;
import dev.outboxrelay.support.TestServers;

/**
 * The newcomer's demo: {@code ./mvnw spring-boot:test-run}. Starts PostgreSQL (the local server if
 * one answers on 5432, otherwise an embedded one), a Kafka broker, ElasticMQ for SQS and RabbitMQ (the
 * local one, otherwise an embedded AMQP broker), then the relay with a small shop that places orders:
 * each order writes its row and three events in one transaction, routed to Kafka, SQS and RabbitMQ.
 * Every few seconds it logs what each broker has received.
 */
public final class DemoApplication {

    private DemoApplication() {
    }

    public static void main(String[] args) {
        Map<String, Object> servers = TestServers.get().properties();
        String[] arguments = servers.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        new SpringApplicationBuilder(OutboxRelayApplication.class)
                .profiles("demo")
                .run(concat(arguments, args));
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
