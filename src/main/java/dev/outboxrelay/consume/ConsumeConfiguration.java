package dev.outboxrelay.consume;

import org.apache.camel.Processor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class ConsumeConfiguration {

    /**
     * The transaction the idempotent consumer and the handler share: the processed key and the handler's
     * writes on the application's data source commit together.
     */
    @Bean
    public ConsumerTransaction consumerTransaction(PlatformTransactionManager transactionManager) {
        return new ConsumerTransaction(new TransactionTemplate(transactionManager));
    }

    /** The consumers' dead-letter channel calls this after every failed attempt: see {@link ConsumerRedelivery}. */
    @Bean
    public Processor consumerRedeliveryDelay(ConsumerRedelivery redelivery) {
        return redelivery::onFailure;
    }
}
