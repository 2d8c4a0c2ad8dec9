package dev.outboxrelay.consume;

import org.apache.camel.Processor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class ConsumeConfiguration {

    /**
     * The transaction the idempotent consumer and the handler share: the processed key and the handler's
     * writes on the application's data source commit together. Nested: inside a Kafka batch's transaction
     * it is a savepoint, so a failure rolls back this event's work alone; elsewhere (SQS, RabbitMQ,
     * deferred events, a Kafka record's redeliveries) it is a transaction of its own.
     */
    @Bean
    public ConsumerTransaction consumerTransaction(PlatformTransactionManager transactionManager) {
        TransactionTemplate template = new TransactionTemplate(transactionManager);
        template.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        return new ConsumerTransaction(template);
    }

    /**
     * The consumers' dead-letter channel calls this after every failed attempt: a Kafka batch commits its
     * work so far (see {@link KafkaBatches#commitBeforeRedelivery}), then {@link ConsumerRedelivery} counts
     * the attempt and sets the wait before the next one.
     */
    @Bean
    public Processor consumerAttemptFailed(KafkaBatches kafkaBatches, ConsumerRedelivery redelivery) {
        return exchange -> {
            kafkaBatches.commitBeforeRedelivery(exchange);
            redelivery.onFailure(exchange);
        };
    }
}
