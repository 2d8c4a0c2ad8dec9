package dev.outboxrelay.relay;

import java.util.concurrent.TimeoutException;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpTimeoutException;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.stereotype.Component;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;

import dev.outboxrelay.brokers.RabbitExchanges;

/**
 * Prepares one RabbitMQ publish: the event's topic is the routing key, its dedupe key the message-id,
 * and the message is persistent. The sink route publishes with confirms, so an event only counts as
 * published once the broker has taken responsibility for it.
 */
@Component("rabbitSink")
public class RabbitSink {

    /** Header naming the exchange, read by the sink route's endpoint URI. */
    public static final String EXCHANGE = "outboxExchange";

    private final RabbitExchanges exchanges;

    public RabbitSink(RabbitExchanges exchanges) {
        this.exchanges = exchanges;
    }

    public String prepare(SendUnit unit, Exchange exchange) {
        exchange.setProperty(SendUnit.PROPERTY, unit);
        RelayEvent event = unit.events().get(0);
        String exchangeName = unit.destination().name();
        exchanges.ensure(exchangeName);
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        EventHeaders.of(event).forEach(message::setHeader);
        message.setHeader(EXCHANGE, exchangeName);
        message.setHeader(SpringRabbitMQConstants.ROUTING_OVERRIDE_KEY, event.topic());
        message.setHeader(SpringRabbitMQConstants.MESSAGE_ID, event.dedupeKey());
        message.setHeader(SpringRabbitMQConstants.DELIVERY_MODE, MessageDeliveryMode.PERSISTENT);
        message.setHeader(SpringRabbitMQConstants.CONTENT_TYPE, "application/json");
        message.setHeader(SpringRabbitMQConstants.TYPE, event.eventType());
        return event.payload();
    }

    public void published(Exchange exchange) {
        exchange.getProperty(SendUnit.PROPERTY, SendUnit.class).events().get(0).published();
    }

    public void fail(Exchange exchange) {
        SendUnit unit = exchange.getProperty(SendUnit.PROPERTY, SendUnit.class);
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        unit.failRemaining(SendFailures.describe(failure), isRejected(failure));
    }

    /**
     * Rejected when the broker closed the channel over this message (no such exchange, access refused,
     * message too large); connection loss and confirm timeouts are retried without parking.
     */
    static boolean isRejected(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AmqpConnectException || cause instanceof AmqpTimeoutException
                    || cause instanceof TimeoutException) {
                return false;
            }
            if (cause instanceof ShutdownSignalException signal && !signal.isHardError()
                    && signal.getReason() instanceof AMQP.Channel.Close close) {
                int code = close.getReplyCode();
                return code == AMQP.NOT_FOUND || code == AMQP.ACCESS_REFUSED || code == AMQP.PRECONDITION_FAILED;
            }
        }
        return false;
    }
}
