package dev.outboxrelay.jobs;

import java.util.concurrent.ExecutorService;

import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import dev.outboxrelay.wake.WorkerPools;

@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {

    /**
     * Threads that run one batch's jobs. A rejected job would be claimed but not run until its lease
     * ran out, so the pool never rejects. Jobs start in claim order, so with one thread they run
     * strictly by priority and then run_at.
     */
    @Bean(destroyMethod = "shutdown")
    public ExecutorService jobRunPool(JobsProperties properties) {
        return WorkerPools.fixed("outbox-jobs-run", properties.workerThreads());
    }

    /** The transaction a job's settle statements and its completion record share (route {@code job-settle}). */
    @Bean
    public SpringTransactionPolicy jobSettleTransaction(PlatformTransactionManager transactions) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(transactions);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }
}
