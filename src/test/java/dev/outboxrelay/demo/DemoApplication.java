package dev.outboxrelay.demo;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.outboxrelay.OutboxRelayApplication;
import dev.outboxrelay.support.TestAccounts;
import dev.outboxrelay.support.TestServers;

/**
 * The newcomer's demo: {@code ./mvnw spring-boot:test-run}. Starts PostgreSQL (the local server if
 * one answers on 5432, otherwise an embedded one), a Kafka broker, ElasticMQ for SQS and RabbitMQ (the
 * local one, otherwise an embedded AMQP broker), then the relay with a small shop that places orders:
 * each order writes its row and three events in one transaction, routed to Kafka, SQS and RabbitMQ.
 * Every few seconds it logs what each broker has received. The admin API, Hawtio and Jolokia need the
 * viewer or operator account whose passwords are made up at start and logged.
 */
public final class DemoApplication {

    private static final Logger log = LoggerFactory.getLogger(DemoApplication.class);

    private DemoApplication() {
    }

    public static void main(String[] args) {
        Map<String, Object> servers = TestServers.get().properties();
        TestAccounts accounts = TestServers.get().accounts();
        log.info("Demo accounts (made up for this run): operator {} / {} (Hawtio at /actuator/hawtio, replays), "
                        + "viewer {} / {} (GET /admin, /actuator/prometheus)", accounts.operator(),
                accounts.operatorPassword(), accounts.viewer(), accounts.viewerPassword());
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
