package dev.outboxrelay.brokers;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Publishes single messages for the workers (dead letters, replays, delayed re-deliveries) and waits
 * for each broker's acknowledgement: Kafka's acks=all, SQS's answer, RabbitMQ's publisher confirm. A
 * failure is thrown, so the caller never takes an unacknowledged publish for done.
 */
@Component
public class BrokerPublisher {

    private static final String KAFKA_ENDPOINT = "kafka:outbox-workers?lazyStartProducer=true";

    // looked up lazily: see SlotLeases on beans that pull in the CamelContext early
    private final ObjectProvider<CamelContext> camel;
    private final ObjectProvider<RabbitTemplate> rabbit;
    private final SqsClient sqs;
    private final SqsQueues queues;
    private final RabbitSettings rabbitSettings;
    private volatile ProducerTemplate template;

    public BrokerPublisher(ObjectProvider<CamelContext> camel, ObjectProvider<RabbitTemplate> rabbit, SqsClient sqs,
                           SqsQueues queues, RabbitSettings rabbitSettings) {
        this.camel = camel;
        this.rabbit = rabbit;
        this.sqs = sqs;
        this.queues = queues;
        this.rabbitSettings = rabbitSettings;
    }

    /** Sends one record to a Kafka topic, keyed, with string headers. */
    public void kafka(String topic, String key, Map<String, String> headers, String body) {
        Exchange result = template().send(KAFKA_ENDPOINT, exchange -> {
            org.apache.camel.Message message = exchange.getMessage();
            message.setBody(body);
            headers.forEach(message::setHeader);
            if (key != null) {
                message.setHeader(KafkaConstants.KEY, key);
            }
            message.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        });
        if (result.getException() != null) {
            throw new IllegalStateException("Kafka did not take the message for topic " + topic + ": "
                    + result.getException().getMessage(), result.getException());
        }
    }

    /**
     * Sends one message to an SQS queue. On a FIFO queue {@code groupId} and {@code deduplicationId} are
     * required; elsewhere they are ignored. SQS takes at most ten attributes.
     */
    public void sqs(String queue, String groupId, String deduplicationId, Map<String, String> attributes, String body) {
        Map<String, MessageAttributeValue> values = new HashMap<>();
        attributes.forEach((name, value) -> {
            if (value != null && !value.isEmpty()) {
                values.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
            }
        });
        if (values.size() > 10) {
            throw new IllegalArgumentException("SQS allows ten message attributes, not " + values.size());
        }
        SendMessageRequest.Builder request = SendMessageRequest.builder()
                .queueUrl(queues.urlOf(queue))
                .messageBody(body)
                .messageAttributes(values);
        if (queue.endsWith(".fifo")) {
            request.messageGroupId(SqsQueues.fifoId(groupId)).messageDeduplicationId(SqsQueues.fifoId(deduplicationId));
        }
        sqs.sendMessage(request.build());
    }

    /**
     * Fits headers into SQS's ten message attributes: the named ones become attributes of their own,
     * all others travel together as JSON in the attribute {@code packedName}.
     */
    public static Map<String, String> sqsAttributes(Map<String, String> headers, Set<String> own, String packedName,
                                                    ObjectMapper json) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Map<String, String> packed = new LinkedHashMap<>();
        headers.forEach((name, value) -> (own.contains(name) ? attributes : packed).put(name, value));
        if (!packed.isEmpty()) {
            try {
                attributes.put(packedName, json.writeValueAsString(packed));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("headers could not be written as JSON", e);
            }
        }
        return attributes;
    }

    /**
     * Publishes one persistent message with confirms. {@code expirationMillis} sets a per-message TTL
     * (null for none).
     */
    public void rabbit(String exchange, String routingKey, String messageId, Map<String, Object> headers, String body,
                       Long expirationMillis) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setMessageId(messageId);
        headers.forEach(properties::setHeader);
        if (expirationMillis != null) {
            properties.setExpiration(Long.toString(Math.max(1, expirationMillis)));
        }
        Message message = new Message(body.getBytes(StandardCharsets.UTF_8), properties);
        long timeout = rabbitSettings.confirmTimeout().toMillis();
        rabbit.getObject().invoke(operations -> {
            operations.send(exchange, routingKey, message);
            operations.waitForConfirmsOrDie(timeout);
            return null;
        });
    }

    private ProducerTemplate template() {
        ProducerTemplate current = template;
        if (current == null) {
            synchronized (this) {
                if (template == null) {
                    template = camel.getObject().createProducerTemplate();
                }
                current = template;
            }
        }
        return current;
    }
}
