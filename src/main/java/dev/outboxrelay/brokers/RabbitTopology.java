package dev.outboxrelay.brokers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Declares what the RabbitMQ workers need: each consumer's durable queue, bound to its exchange and
 * dead-lettering into the dead-letter exchange, with its dead-letter queue; and the delay queues that
 * hold a message until its due time.
 *
 * <p>Delays use per-message TTL and dead-lettering, no plugin: a message waits in a delay queue of its
 * consumer's queue until its TTL ends, then RabbitMQ dead-letters it back into that queue. RabbitMQ only
 * expires messages at the head of a queue, so delays are split over queues by size (bucket k holds waits
 * up to 2^k seconds): a short wait never sits behind a much longer one, and a message is at most about
 * its own delay late.
 */
@Component
public class RabbitTopology {

    /** The longest delay bucket: 2^22 s, about 48 days. */
    static final int MAX_BUCKET = 22;

    private final ObjectProvider<AmqpAdmin> admin;
    private final RabbitExchanges exchanges;
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    public RabbitTopology(ObjectProvider<AmqpAdmin> admin, RabbitExchanges exchanges) {
        this.admin = admin;
        this.exchanges = exchanges;
    }

    /**
     * Declares a consumer's queue (durable, its rejected messages dead-lettered to
     * {@code deadLetterExchange} with the queue's name as routing key), binds it to {@code exchange} with
     * each routing key, and declares the dead-letter exchange (direct) and queue {@code deadLetterQueue}.
     */
    public void declareConsumerQueue(String queue, String exchange, List<String> bindingKeys, String deadLetterExchange,
                                     String deadLetterQueue) {
        AmqpAdmin amqp = admin.getObject();
        DirectExchange dlx = new DirectExchange(deadLetterExchange, true, false);
        amqp.declareExchange(dlx);
        Queue dlq = new Queue(deadLetterQueue, true);
        amqp.declareQueue(dlq);
        amqp.declareBinding(BindingBuilder.bind(dlq).to(dlx).with(queue));
        Queue source = new Queue(queue, true, false, false, Map.of(
                "x-dead-letter-exchange", deadLetterExchange,
                "x-dead-letter-routing-key", queue));
        amqp.declareQueue(source);
        if (exchange != null && !exchange.isBlank()) {
            exchanges.ensure(exchange);
            for (String key : bindingKeys) {
                amqp.declareBinding(new Binding(queue, Binding.DestinationType.QUEUE, exchange, key, null));
            }
        }
    }

    /** The delay queue for a wait: bucket k takes waits of more than 2^(k-1) and up to 2^k seconds. */
    public static int bucketOf(Duration wait) {
        double seconds = Math.max(1.0, wait.toMillis() / 1000.0);
        int bucket = (int) Math.ceil(Math.log(seconds) / Math.log(2));
        return Math.min(MAX_BUCKET, Math.max(0, bucket));
    }

    /**
     * Declares (once) the delay queue of a consumer queue for a wait and answers its name. Publishing
     * there through the default exchange, with the remaining wait as the message's expiration, returns
     * the message to {@code queue} when it is due.
     */
    public String delayQueue(String queue, Duration wait) {
        String name = queue + ".delay." + bucketOf(wait);
        if (declared.add(name)) {
            try {
                // expired messages go back through the default exchange, straight to the consumer's queue
                admin.getObject().declareQueue(new Queue(name, true, false, false, Map.of(
                        "x-dead-letter-exchange", "",
                        "x-dead-letter-routing-key", queue)));
            } catch (RuntimeException e) {
                declared.remove(name);
                throw e;
            }
        }
        return name;
    }
}
