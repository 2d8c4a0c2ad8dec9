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
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** Reads what each broker received, with each broker's own client, and logs the counts. */
public class DemoReport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemoReport.class);

    private final JdbcTemplate jdbc;
    private final DemoShop shop;
    private final KafkaConsumer<String, String> kafka;
    private final SqsClient sqs;
    private final Connection rabbit;
    private final Channel channel;
    private final AtomicLong fromKafka = new AtomicLong();
    private final AtomicLong fromSqs = new AtomicLong();
    private final AtomicLong fromRabbit = new AtomicLong();
    private String queueUrl;

    public DemoReport(JdbcTemplate jdbc, DemoShop shop, String kafkaBrokers, SqsClient sqs, RabbitExchanges exchanges,
                      String rabbitHost, int rabbitPort) throws IOException, TimeoutException {
        this.jdbc = jdbc;
        this.shop = shop;
        this.sqs = sqs;
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

    /** Reads all three; one broker's trouble must not stop the scheduled reading of the others. */
    public void read() {
        try {
            kafka.poll(Duration.ofMillis(100)).forEach(record -> fromKafka.incrementAndGet());
            readSqs();
            readRabbit();
        } catch (RuntimeException e) {
            log.warn("Reading the brokers failed: {}", e.toString());
        }
    }

    private void readSqs() {
        try {
            if (queueUrl == null) {
                queueUrl = sqs.getQueueUrl(b -> b.queueName("payments.fifo")).queueUrl();
            }
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)).messages();
            if (!messages.isEmpty()) {
                fromSqs.addAndGet(messages.size());
                sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(messages.stream()
                        .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId())
                                .receiptHandle(m.receiptHandle()).build())
                        .toList()));
            }
        } catch (QueueDoesNotExistException e) {
            // created with the relay's first send
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
        log.info("orders placed {} | outbox: {} published, {} waiting | received: Kafka orders.placed {}, "
                        + "SQS payments.fifo {}, RabbitMQ notifications {}",
                shop.placed(), published, backlog, fromKafka.get(), fromSqs.get(), fromRabbit.get());
    }

    @Override
    public void close() throws IOException {
        kafka.close();
        rabbit.close();
    }
}
