package dev.outboxrelay.jobs;

import java.util.concurrent.ExecutorService;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.outboxrelay.wake.WorkerPools;

@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {

    /**
     * Threads that run the claimed jobs. A rejected job would be claimed but not run until its lease
     * ran out, so the pool never rejects (JobsInFlight keeps its queue to about one batch). Jobs start
     * in claim order, so with one thread they run strictly by priority and then run_at.
     */
    @Bean(destroyMethod = "shutdown")
    public ExecutorService jobRunPool(JobsProperties properties) {
        return WorkerPools.fixed("outbox-jobs-run", properties.workerThreads());
    }
}
