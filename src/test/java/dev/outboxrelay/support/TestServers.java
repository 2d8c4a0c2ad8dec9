package dev.outboxrelay.support;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers of a test JVM, each started once on first use and shared by every test class and
 * Spring context in the JVM.
 */
public final class TestServers {

    private static final Logger log = LoggerFactory.getLogger(TestServers.class);
    private static volatile TestServers instance;

    private final TestPostgres postgres;
    private final TestKafka kafka;
    private final TestSqs sqs;
    private final TestRabbit rabbit;
    private final WebhookReceiver webhooks;
    private final TestAccounts accounts = TestAccounts.generate();

    private TestServers() {
        long start = System.nanoTime();
        this.postgres = TestPostgres.start();
        // -Doutbox.test.direct=true: no loopback proxies, for benchmarks (outage tests need them)
        boolean direct = Boolean.getBoolean("outbox.test.direct");
        this.kafka = TestKafka.start(direct);
        this.sqs = TestSqs.start(direct);
        this.rabbit = TestRabbit.start(direct);
        this.webhooks = WebhookReceiver.start();
        log.info("Test servers up in {} ms: {}; {}; {}; {}; {}", (System.nanoTime() - start) / 1_000_000,
                postgres, kafka, sqs, rabbit, webhooks);
    }

    public static TestServers get() {
        TestServers servers = instance;
        if (servers == null) {
            synchronized (TestServers.class) {
                servers = instance;
                if (servers == null) {
                    servers = new TestServers();
                    instance = servers;
                }
            }
        }
        return servers;
    }

    /** Spring properties that point the service at these servers. */
    public Map<String, Object> properties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", postgres.jdbcUrl());
        properties.put("spring.datasource.username", postgres.username());
        properties.put("spring.datasource.password", "");
        properties.put("camel.component.kafka.brokers", kafka.bootstrapServers());
        properties.put("outbox.sqs.endpoint", sqs.endpoint());
        properties.put("outbox.sqs.access-key", "test");
        properties.put("outbox.sqs.secret-key", "test");
        properties.put("outbox.sqs.region", "us-east-1");
        properties.put("spring.rabbitmq.host", "127.0.0.1");
        properties.put("spring.rabbitmq.port", rabbit.port());
        properties.put("spring.rabbitmq.username", "guest");
        properties.put("spring.rabbitmq.password", "guest");
        properties.put("outbox.test.webhook-url", webhooks.url());
        properties.putAll(accounts.properties());
        if (!rabbit.isRealRabbit()) {
            // Qpid Broker-J refuses RabbitMQ's alternate-exchange argument
            properties.put("outbox.rabbitmq.unroutable-exchange", "");
        }
        return properties;
    }

    public TestPostgres postgres() {
        return postgres;
    }

    public TestKafka kafka() {
        return kafka;
    }

    public TestSqs sqs() {
        return sqs;
    }

    public TestRabbit rabbit() {
        return rabbit;
    }

    public TestAccounts accounts() {
        return accounts;
    }

    public WebhookReceiver webhooks() {
        return webhooks;
    }
}
