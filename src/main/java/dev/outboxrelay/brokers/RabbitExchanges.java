package dev.outboxrelay.brokers;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Declares the RabbitMQ exchanges events are published to: durable topic exchanges whose unroutable
 * messages go to {@code outbox.rabbitmq.unroutable-exchange} (a fanout exchange with a durable queue
 * of the same name) instead of being dropped. Each exchange is declared once per process.
 */
@Component
public class RabbitExchanges {

    private final RabbitSettings settings;
    private final ObjectProvider<AmqpAdmin> admin;
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    public RabbitExchanges(RabbitSettings settings, ObjectProvider<AmqpAdmin> admin) {
        this.settings = settings;
        this.admin = admin;
    }

    /** Declares the exchange unless {@code outbox.rabbitmq.declare-exchanges} is off or it was declared already. */
    public void ensure(String exchange) {
        if (!settings.declareExchanges() || declared.contains(exchange)) {
            return;
        }
        AmqpAdmin amqp = admin.getObject();
        String unroutable = settings.unroutableExchange();
        Map<String, Object> arguments = Map.of();
        if (unroutable != null && !unroutable.isBlank()) {
            FanoutExchange keep = new FanoutExchange(unroutable, true, false);
            Queue kept = new Queue(unroutable, true);
            amqp.declareExchange(keep);
            amqp.declareQueue(kept);
            amqp.declareBinding(BindingBuilder.bind(kept).to(keep));
            arguments = Map.of("alternate-exchange", unroutable);
        }
        amqp.declareExchange(new TopicExchange(exchange, true, false, arguments));
        declared.add(exchange);
    }
}
