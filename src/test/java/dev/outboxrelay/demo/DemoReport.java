package dev.outboxrelay.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import dev.outboxrelay.brokers.RabbitExchanges;

/**
 * Reads what Kafka and RabbitMQ received, with each broker's own client, and what the demo's workers
 * handled (the SQS queue is read by its worker only), and logs the counts.
 */
public class DemoReport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemoReport.class);

    private final JdbcTemplate jdbc;
    private final DemoShop shop;
    private final KafkaConsumer<String, String> kafka;
    private final DemoWorkers workers;
    private final Connection rabbit;
    private final Channel channel;
    private final AtomicLong fromKafka = new AtomicLong();
    private final AtomicLong fromRabbit = new AtomicLong();

    public DemoReport(JdbcTemplate jdbc, DemoShop shop, DemoWorkers workers, String kafkaBrokers,
                      RabbitExchanges exchanges, String rabbitHost, int rabbitPort) throws IOException, TimeoutException {
        this.jdbc = jdbc;
        this.shop = shop;
        this.workers = workers;
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBrokers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-report-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        kafka = new KafkaConsumer<>(config);
        kafka.subscribe(List.of("orders.placed"));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(rabbitHost);
        factory.setPort(rabbitPort);
        rabbit = factory.newConnection("demo-report");
        channel = rabbit.createChannel();
        channel.queueDeclare("demo.notifications", false, true, true, null);
        // declared as the relay declares it, and bound before the first order, so no message goes unrouted
        exchanges.ensure("notifications");
        channel.queueBind("demo.notifications", "notifications", "mail.#");
    }

    /** Reads both; one broker's trouble must not stop the scheduled reading of the other. */
    public void read() {
        try {
            kafka.poll(Duration.ofMillis(100)).forEach(record -> fromKafka.incrementAndGet());
            readRabbit();
        } catch (RuntimeException e) {
            log.warn("Reading the brokers failed: {}", e.toString());
        }
    }

    private void readRabbit() {
        try {
            while (channel.basicGet("demo.notifications", true) != null) {
                fromRabbit.incrementAndGet();
            }
        } catch (IOException e) {
            log.debug("RabbitMQ read failed: {}", e.getMessage());
        }
    }

    public void report() {
        Integer backlog = jdbc.queryForObject(
                "SELECT count(*) FROM outbox_events WHERE published_at IS NULL", Integer.class);
        Integer published = jdbc.queryForObject(
                "SELECT count(*) FROM outbox_events WHERE published_at IS NOT NULL", Integer.class);
        Integer deadLetters = jdbc.queryForObject("SELECT count(*) FROM consumer_dead_letters", Integer.class);
        log.info("orders placed {} | outbox: {} published, {} waiting | received: Kafka orders.placed {}, "
                        + "RabbitMQ notifications {} | handled: orders-worker {}, payments-worker {}, mail-worker {}, "
                        + "dead letters {}",
                shop.placed(), published, backlog, fromKafka.get(), fromRabbit.get(), workers.handled("orders-worker"),
                workers.handled("payments-worker"), workers.handled("mail-worker"), deadLetters);
    }

    @Override
    public void close() throws IOException {
        kafka.close();
        rabbit.close();
    }
}
