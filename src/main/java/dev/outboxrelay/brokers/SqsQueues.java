package dev.outboxrelay.brokers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** Queue URLs by name, looked up once; creates missing queues when {@code outbox.sqs.auto-create-queues} is on. */
@Component
public class SqsQueues {

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
}
