package dev.outboxrelay.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

/**
 * Binds a queue of its own to the test exchange for one topic's routing key, declaring the exchange
 * as the relay does (so both agree on its arguments), then reads the queue.
 */
final class RabbitProbe implements BrokerProbe {

    private final String topic;
    private final Connection connection;
    private final Channel channel;
    private final String queue;
    private final List<Delivered> received = new ArrayList<>();

    /** Reads an existing queue as it is. */
    RabbitProbe(TestRabbit rabbit, String queue) {
        this.topic = queue;
        this.queue = queue;
        try {
            connection = connect(rabbit, queue);
            channel = connection.createChannel();
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ probe could not start", e);
        }
    }

    private static Connection connect(TestRabbit rabbit, String name) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(rabbit.directPort());
        factory.setUsername("guest");
        factory.setPassword("guest");
        return factory.newConnection("probe-" + name);
    }

    RabbitProbe(TestRabbit rabbit, String topic, String exchange) {
        this.topic = topic;
        try {
            connection = connect(rabbit, topic);
            channel = connection.createChannel();
            Map<String, Object> arguments = new HashMap<>();
            if (rabbit.isRealRabbit()) {
                arguments.put("alternate-exchange", "outbox.unroutable");
                channel.exchangeDeclare("outbox.unroutable", "fanout", true);
            }
            channel.exchangeDeclare(exchange, "topic", true, false, arguments);
            queue = "probe." + topic;
            // exclusive: the queue goes away with the probe's connection
            channel.queueDeclare(queue, false, true, true, null);
            channel.queueBind(queue, exchange, topic);
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ probe could not start", e);
        }
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public List<Delivered> read(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("RabbitMQ queue " + queue + ": " + received.size() + " of " + count
                        + " messages after " + timeout);
            }
            if (!take()) {
                pause();
            }
        }
        return List.copyOf(received);
    }

    @Override
    public List<Delivered> drain(Duration quiet) {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            if (!take()) {
                pause();
            }
        }
        return List.copyOf(received);
    }

    private boolean take() {
        try {
            GetResponse response = channel.basicGet(queue, true);
            if (response == null) {
                return false;
            }
            Map<String, String> headers = new HashMap<>();
            if (response.getProps().getHeaders() != null) {
                response.getProps().getHeaders().forEach((name, value) -> headers.put(name, String.valueOf(value)));
            }
            headers.put("delivery-mode", String.valueOf(response.getProps().getDeliveryMode()));
            headers.put("content-type", String.valueOf(response.getProps().getContentType()));
            headers.put("type", String.valueOf(response.getProps().getType()));
            received.add(new Delivered(null, response.getProps().getMessageId(),
                    new String(response.getBody(), StandardCharsets.UTF_8), headers,
                    response.getEnvelope().getRoutingKey()));
            return true;
        } catch (IOException e) {
            throw new IllegalStateException("RabbitMQ probe could not read " + queue, e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (IOException e) {
            // the broker closed it already
        }
    }
}
