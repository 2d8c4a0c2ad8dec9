package dev.outboxrelay.relay;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.springframework.stereotype.Component;

/**
 * Builds the records of a Kafka send unit and reads back each record's acknowledgement.
 *
 * <p>The unit goes to the Kafka endpoint as one list of exchanges: camel-kafka sends them in list
 * order from one thread without waiting in between, and reports each record's result on its own
 * exchange, so one rejected record fails only its own event.
 */
@Component("kafkaSink")
public class KafkaSink {

    static final String RECORDS = "outboxKafkaRecords";
    static final String RETRIED_RECORDS = "outboxKafkaRetriedRecords";

    /**
     * Turns the unit into records keyed by aggregate, with the event metadata as headers, and hands
     * out those of events tried for the first time. Records of events that failed before are kept for
     * {@link #retries}: the producer packs records of one partition into one request, and when Kafka
     * refuses a request as too large the idempotent producer splits it and may let the whole request
     * run into its delivery timeout; a record that keeps sharing requests with others would then time
     * out again and again instead of being refused, and never be parked.
     *
     * <p>The records are handed out by an iterable that stops after a record timed out waiting for
     * Kafka's metadata: while Kafka is unreachable every further send would block for max.block.ms as
     * well, holding the relay up for minutes on a large unit. The records never handed out fail as
     * unreachable.
     */
    public Iterable<Exchange> prepare(SendUnit unit, Exchange exchange) {
        List<Exchange> records = new ArrayList<>(unit.events().size());
        List<Exchange> first = new ArrayList<>(unit.events().size());
        List<Exchange> retried = new ArrayList<>();
        Set<String> retriedAggregates = new HashSet<>();
        for (RelayEvent event : unit.events()) {
            Exchange record = new DefaultExchange(exchange.getContext());
            Message message = record.getIn();
            message.setBody(event.payload());
            message.setHeader(KafkaConstants.KEY, event.aggregateId());
            message.setHeader(KafkaConstants.OVERRIDE_TOPIC, unit.destination().name());
            EventHeaders.of(event).forEach(message::setHeader);
            records.add(record);
            // with kafka-pipelining an aggregate's later events follow its retried one, in order
            if (event.attempts() > 0 || retriedAggregates.contains(event.aggregateId())) {
                retriedAggregates.add(event.aggregateId());
                retried.add(record);
            } else {
                first.add(record);
            }
        }
        exchange.setProperty(SendUnit.PROPERTY, unit);
        exchange.setProperty(RECORDS, records);
        exchange.setProperty(RETRIED_RECORDS, retried);
        return handOut(first);
    }

    /**
     * The records of events that failed before, for the sink's second endpoint, whose producer sends
     * every record in a request of its own (batch size 0): a record Kafka cannot take is then refused
     * for what it is.
     */
    @SuppressWarnings("unchecked")
    public Iterable<Exchange> retries(Exchange exchange) {
        return handOut(exchange.getProperty(RETRIED_RECORDS, List.class));
    }

    /** Whether the unit has records of events tried for the first time (the body prepare handed out). */
    public boolean hasFirstTries(Exchange exchange) {
        List<?> records = exchange.getProperty(RECORDS, List.class);
        List<?> retried = exchange.getProperty(RETRIED_RECORDS, List.class);
        return records.size() > retried.size();
    }

    public boolean hasRetries(Exchange exchange) {
        List<?> retried = exchange.getProperty(RETRIED_RECORDS, List.class);
        return retried != null && !retried.isEmpty();
    }

    private static Iterable<Exchange> handOut(List<Exchange> records) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < records.size() && !(next > 0 && timedOut(records.get(next - 1)));
            }

            @Override
            public Exchange next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return records.get(next++);
            }
        };
    }

    private static boolean timedOut(Exchange record) {
        return record.getException() instanceof TimeoutException;
    }

    /** Marks each event by its record's own result; a record with no result failed with the send. */
    @SuppressWarnings("unchecked")
    public void settle(Exchange exchange) {
        SendUnit unit = exchange.getProperty(SendUnit.PROPERTY, SendUnit.class);
        List<Exchange> records = exchange.getProperty(RECORDS, List.class);
        Exception sendFailure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        boolean unreachable = false;
        for (int i = 0; i < records.size(); i++) {
            Exchange record = records.get(i);
            RelayEvent event = unit.events().get(i);
            Exception failure = record.getException();
            if (failure != null) {
                event.failed(SendFailures.describe(failure), isRejected(failure));
                unreachable |= timedOut(record);
            } else if (record.getMessage().getHeader(KafkaConstants.KAFKA_RECORD_META) != null) {
                event.published();
            } else if (unreachable) {
                event.failed("not sent: Kafka could not be reached for an earlier record of this unit", false);
            } else {
                Exception cause = sendFailure != null ? sendFailure : new IllegalStateException("no acknowledgement");
                event.failed(SendFailures.describe(cause), isRejected(cause));
            }
        }
    }

    /**
     * A record is rejected when Kafka refused it for good (too large, invalid topic, not authorised);
     * timeouts and lost connections are retriable and never park the event.
     */
    static boolean isRejected(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException) {
                return false;
            }
            if (cause instanceof ApiException) {
                return true;
            }
        }
        return false;
    }
}
