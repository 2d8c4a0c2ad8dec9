package dev.outboxrelay.relay;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import dev.outboxrelay.brokers.SqsQueues;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * Builds one SendMessageBatch request per SQS send unit and reads back each entry's result.
 *
 * <p>The relay builds the entries itself rather than let camel-aws2-sqs do it: Camel's batch
 * builder gives every entry the exchange's group id, while here each entry keeps its own
 * aggregate as MessageGroupId and its own dedupe key as MessageDeduplicationId. Both are stable
 * across re-sends, so SQS drops a FIFO re-send within its five-minute deduplication window.
 */
@Component("sqsSink")
public class SqsSink {

    /** Header naming the queue, read by the sink route's endpoint URI. */
    public static final String QUEUE = "outboxQueue";
    /** The one attribute holding the event's own headers: SQS allows only ten attributes a message. */
    public static final String HEADERS_ATTRIBUTE = "outbox-headers";
    static final int MAX_DELAY_SECONDS = 900;

    private final SqsQueues queues;
    private final ObjectMapper json;

    public SqsSink(SqsQueues queues, ObjectMapper json) {
        this.queues = queues;
        this.json = json;
    }

    public SendMessageBatchRequest prepare(SendUnit unit, Exchange exchange) {
        exchange.setProperty(SendUnit.PROPERTY, unit);
        exchange.getMessage().setHeader(QUEUE, unit.destination().name());
        boolean fifo = unit.destination().isFifoQueue();
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(unit.events().size());
        List<RelayEvent> events = unit.events();
        Instant now = Instant.now();
        for (int i = 0; i < events.size(); i++) {
            RelayEvent event = events.get(i);
            SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i))
                    .messageBody(event.payload())
                    .messageAttributes(attributes(event));
            if (fifo) {
                entry.messageGroupId(fifoId(event.aggregateId()));
                entry.messageDeduplicationId(fifoId(event.dedupeKey()));
            } else {
                int delay = delaySeconds(event, now);
                if (delay > 0) {
                    entry.delaySeconds(delay);
                }
            }
            entries.add(entry.build());
        }
        return SendMessageBatchRequest.builder()
                .queueUrl(queues.urlOf(unit.destination().name()))
                .entries(entries)
                .build();
    }

    private Map<String, MessageAttributeValue> attributes(RelayEvent event) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        Map<String, String> own = new HashMap<>(event.headers());
        own.putAll(event.carriedTrace());
        putString(attributes, EventHeaders.TRACEPARENT, own.remove(EventHeaders.TRACEPARENT));
        putString(attributes, EventHeaders.TRACESTATE, own.remove(EventHeaders.TRACESTATE));
        putString(attributes, EventHeaders.EVENT_ID, event.id().toString());
        putString(attributes, EventHeaders.EVENT_TYPE, event.eventType());
        putString(attributes, EventHeaders.DEDUPE_KEY, event.dedupeKey());
        putString(attributes, EventHeaders.AGGREGATE_ID, event.aggregateId());
        putString(attributes, EventHeaders.TOPIC, event.topic());
        putString(attributes, EventHeaders.CREATED_AT, event.createdAt().toString());
        attributes.put(EventHeaders.SCHEMA_VERSION, MessageAttributeValue.builder()
                .dataType("Number").stringValue(Integer.toString(event.schemaVersion())).build());
        if (!own.isEmpty()) {
            try {
                putString(attributes, HEADERS_ATTRIBUTE, json.writeValueAsString(own));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("headers of " + event + " could not be written as JSON", e);
            }
        }
        return attributes;
    }

    private static void putString(Map<String, MessageAttributeValue> attributes, String name, String value) {
        // SQS refuses empty attribute values
        if (value != null && !value.isEmpty()) {
            attributes.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
        }
    }

    /** FIFO group and deduplication ids allow 128 printable ASCII characters; longer or other keys are hashed. */
    static String fifoId(String value) {
        return SqsQueues.fifoId(value);
    }

    /**
     * SQS DelaySeconds for an event carrying {@link EventHeaders#DUE_AT}: the time left, at most SQS's
     * 15 minutes (the consumer holds a message that is still early). FIFO queues take no per-message delay.
     */
    static int delaySeconds(RelayEvent event, Instant now) {
        String due = event.headers().get(EventHeaders.DUE_AT);
        if (due == null) {
            return 0;
        }
        try {
            long seconds = (long) Math.ceil(Duration.between(now, Instant.parse(due.strip())).toMillis() / 1000.0);
            return (int) Math.max(0, Math.min(MAX_DELAY_SECONDS, seconds));
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    /** Marks each event by its entry's result in the batch response. */
    public void settle(Exchange exchange) {
        SendUnit unit = exchange.getProperty(SendUnit.PROPERTY, SendUnit.class);
        SendMessageBatchResponse response = exchange.getMessage().getBody(SendMessageBatchResponse.class);
        for (SendMessageBatchResultEntry ok : response.successful()) {
            unit.events().get(Integer.parseInt(ok.id())).published();
        }
        for (BatchResultErrorEntry failed : response.failed()) {
            unit.events().get(Integer.parseInt(failed.id()))
                    .failed("SQS refused the message: " + failed.code() + " " + failed.message(),
                            Boolean.TRUE.equals(failed.senderFault()));
        }
        unit.failRemaining("SQS answered without a result for this message", false);
    }

    /** The whole call failed: a 4xx from SQS refuses these messages, anything else is retried. */
    public void fail(Exchange exchange) {
        SendUnit unit = exchange.getProperty(SendUnit.PROPERTY, SendUnit.class);
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        unit.failRemaining(SendFailures.describe(failure), isRejected(failure));
    }

    static boolean isRejected(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AwsServiceException service) {
                int status = service.statusCode();
                return status >= 400 && status < 500 && !service.isThrottlingException();
            }
        }
        return false;
    }
}
