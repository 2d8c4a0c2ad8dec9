package dev.outboxrelay.jobs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {

    /**
     * Threads that run one batch's jobs. Unbounded queue on purpose: a batch is at most batch-size jobs,
     * and a rejected job would be claimed but never run until its lease ran out. Tasks start in claim
     * order, so with one thread jobs run strictly by priority and then run_at.
     */
    @Bean(destroyMethod = "shutdown")
    public ExecutorService jobRunPool(JobsProperties properties) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(properties.workerThreads(), properties.workerThreads(),
                60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "outbox-jobs-run-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** The transaction a job's settle statements and its completion record share (route {@code job-settle}). */
    @Bean
    public SpringTransactionPolicy jobSettleTransaction(PlatformTransactionManager transactions) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(transactions);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }
}
