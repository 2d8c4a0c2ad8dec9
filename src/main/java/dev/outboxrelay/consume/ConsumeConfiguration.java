package dev.outboxrelay.consume;

import org.apache.camel.Processor;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

@Configuration(proxyBeanMethods = false)
public class ConsumeConfiguration {

    /**
     * The transaction the idempotent consumer and the handler share: the processed key and the handler's
     * writes on the application's data source commit together.
     */
    @Bean
    public SpringTransactionPolicy consumerTransaction(PlatformTransactionManager transactionManager) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(transactionManager);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }

    /** The consumers' dead-letter channel calls this after every failed attempt: see {@link ConsumerRedelivery}. */
    @Bean
    public Processor consumerRedeliveryDelay(ConsumerRedelivery redelivery) {
        return redelivery::onFailure;
    }
}
