package dev.outboxrelay.brokers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SetQueueAttributesRequest;

/** Queue URLs by name, looked up once; creates missing queues when {@code outbox.sqs.auto-create-queues} is on. */
@Component
public class SqsQueues {

    private static final Pattern FIFO_ID = Pattern.compile("[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]{1,128}");

    private final SqsClient sqs;
    private final SqsProperties properties;
    private final Map<String, String> urls = new ConcurrentHashMap<>();

    public SqsQueues(SqsClient sqs, SqsProperties properties) {
        this.sqs = sqs;
        this.properties = properties;
    }

    /** The queue's URL; throws {@link QueueDoesNotExistException} for a missing queue that may not be created. */
    public String urlOf(String queue) {
        String known = urls.get(queue);
        if (known != null) {
            return known;
        }
        String url;
        try {
            url = sqs.getQueueUrl(GetQueueUrlRequest.builder().queueName(queue).build()).queueUrl();
        } catch (QueueDoesNotExistException e) {
            if (!properties.autoCreateQueues()) {
                throw QueueDoesNotExistException.builder()
                        .message("SQS queue '" + queue + "' does not exist and outbox.sqs.auto-create-queues is off")
                        .statusCode(400)
                        .build();
            }
            url = create(queue);
        }
        urls.put(queue, url);
        return url;
    }

    private String create(String queue) {
        CreateQueueRequest.Builder request = CreateQueueRequest.builder().queueName(queue);
        if (queue.endsWith(".fifo")) {
            // Deduplication comes from each message's own id (the event's dedupe key), not its content.
            request.attributes(Map.of(
                    QueueAttributeName.FIFO_QUEUE, "true",
                    QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false"));
        }
        return sqs.createQueue(request.build()).queueUrl();
    }

    /** Forgets a cached URL, e.g. after the queue was deleted and created again. */
    public void forget(String queue) {
        urls.remove(queue);
    }

    /** The dead-letter queue of a queue: the suffix goes before {@code .fifo}, a FIFO queue's DLQ is FIFO too. */
    public static String deadLetterQueueOf(String queue, String suffix) {
        return queue.endsWith(".fifo")
                ? queue.substring(0, queue.length() - ".fifo".length()) + suffix + ".fifo"
                : queue + suffix;
    }

    /**
     * Makes sure a consumer's queue and its dead-letter queue exist (creating them only when
     * {@code outbox.sqs.auto-create-queues} is on) and, when creating, points the queue's redrive policy
     * at the dead-letter queue, so that SQS itself moves a message there after {@code maxReceiveCount}
     * receives that never ended in a delete.
     */
    public void prepareConsumerQueue(String queue, String deadLetterQueue, int maxReceiveCount) {
        String dlqUrl = urlOf(deadLetterQueue);
        String url = urlOf(queue);
        if (!properties.autoCreateQueues()) {
            return;
        }
        String dlqArn = sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(dlqUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN).build()).attributes().get(QueueAttributeName.QUEUE_ARN);
        sqs.setQueueAttributes(SetQueueAttributesRequest.builder().queueUrl(url)
                .attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}"))
                .build());
    }

    /** FIFO group and deduplication ids allow 128 printable ASCII characters; longer or other keys are hashed. */
    public static String fifoId(String value) {
        if (FIFO_ID.matcher(value).matches()) {
            return value;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
