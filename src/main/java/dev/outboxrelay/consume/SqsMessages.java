package dev.outboxrelay.consume;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outboxrelay.brokers.SqsQueues;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS consumer route's steps. Messages are received with long polling and stay invisible for the
 * consumer's visibility timeout; a message is deleted only after it was handled, found to be a
 * duplicate or dead-lettered, so a consumer that dies mid-way loses nothing: the message becomes
 * visible again. On a FIFO queue the messages of one group arrive in order; once one of them fails
 * without being dead-lettered, the group's later messages of the same receive are left alone too, so
 * they come back after it, in order.
 *
 * <p>A message whose {@code outbox-due-at} lies ahead (FIFO queues take no per-message delay, and
 * DelaySeconds ends at 15 minutes) is hidden until then by changing its visibility, at most 12 hours
 * at a time.
 */
@Component("sqsMessages")
public class SqsMessages {

    /** Exchange property: {@code process}, {@code hold} (not due) or {@code skip} (behind a failure). */
    static final String ACTION = "outboxSqsAction";
    private static final String RECEIPT = "outboxSqsReceipt";
    private static final String QUEUE = "outboxSqsQueue";
    private static final Duration MAX_VISIBILITY = Duration.ofHours(12);
    private static final Logger log = LoggerFactory.getLogger(SqsMessages.class);

    private final ConsumedEvents events;
    private final SqsClient sqs;
    private final SqsQueues queues;
    // groups that failed in the receive a polling thread is working through
    private final Map<String, Set<String>> failedGroups = new ConcurrentHashMap<>();

    public SqsMessages(ConsumedEvents events, SqsClient sqs, SqsQueues queues) {
        this.events = events;
        this.sqs = sqs;
        this.queues = queues;
    }

    /** Reads the message and decides what to do with it. */
    public void read(Exchange exchange, String consumer, String queue) {
        ConsumedEvent event = events.fromSqs(exchange, consumer, queue);
        exchange.setProperty(RECEIPT, exchange.getMessage().getHeader(Sqs2Constants.RECEIPT_HANDLE, String.class));
        exchange.setProperty(QUEUE, queue);
        ConsumedEvents.attach(exchange, event);
        Set<String> failed = failedGroups.computeIfAbsent(pollerKey(consumer), key -> ConcurrentHashMap.newKeySet());
        if (exchange.getProperty(ExchangePropertyKey.BATCH_INDEX, 0, Integer.class) == 0) {
            failed.clear();
        }
        if (event.aggregateId() != null && queue.endsWith(".fifo") && failed.contains(event.aggregateId())) {
            exchange.setProperty(ACTION, "skip");
            return;
        }
        Instant now = Instant.now();
        if (!event.isDue(now)) {
            Duration wait = Duration.between(now, event.dueAt());
            hide(exchange, wait.compareTo(MAX_VISIBILITY) > 0 ? MAX_VISIBILITY : wait);
            exchange.setProperty(ACTION, "hold");
            return;
        }
        exchange.setProperty(ACTION, "process");
    }

    private void hide(Exchange exchange, Duration wait) {
        int seconds = (int) Math.max(1, Math.ceil(wait.toMillis() / 1000.0));
        String queue = exchange.getProperty(QUEUE, String.class);
        sqs.changeMessageVisibility(request -> request.queueUrl(queues.urlOf(queue))
                .receiptHandle(exchange.getProperty(RECEIPT, String.class))
                .visibilityTimeout(seconds));
        log.debug("{} is due at {}: hidden for {} s", ConsumedEvents.event(exchange), ConsumedEvents.event(exchange).dueAt(),
                seconds);
    }

    /** Unless it failed, the event was handled, skipped or dead-lettered: the message is done with. */
    public void finish(Exchange exchange) {
        if (exchange.getProperty(ConsumedEvents.FAILED, false, Boolean.class)) {
            return;
        }
        String queue = exchange.getProperty(QUEUE, String.class);
        sqs.deleteMessage(request -> request.queueUrl(queues.urlOf(queue))
                .receiptHandle(exchange.getProperty(RECEIPT, String.class)));
    }

    /** Neither handled nor dead-lettered: the message stays and comes back after its visibility timeout. */
    public void failed(Exchange exchange) {
        exchange.setProperty(ConsumedEvents.FAILED, true);
        ConsumedEvent event = ConsumedEvents.event(exchange);
        if (event.aggregateId() != null) {
            failedGroups.computeIfAbsent(pollerKey(event.consumer()), key -> ConcurrentHashMap.newKeySet())
                    .add(event.aggregateId());
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        log.warn("{} was neither handled nor dead-lettered; SQS delivers it again after its visibility timeout: {}",
                event, cause == null ? "unknown error" : DeadLetters.describe(cause));
    }

    private static String pollerKey(String consumer) {
        return consumer + '/' + Thread.currentThread().getName();
    }
}
