package dev.outboxrelay.benchmark.work;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.outboxrelay.consume.EventHandler;
import dev.outboxrelay.jobs.QueueWorker;

/**
 * The no-op work of the pipeline and job-queue scenarios, as an application would add its handlers.
 * Only the benchmark puts this package on the relay process's classpath (see {@code Bench}); component
 * scanning then finds it like any application bean.
 */
@Configuration(proxyBeanMethods = false)
public class BenchmarkWork {

    /** The queue whose jobs the job-queue scenario enqueues. */
    public static final String JOB_QUEUE = "bench-noop";

    /** Handles a pipeline event by doing nothing: the idempotent consumer's own key insert is the work. */
    @Bean
    EventHandler benchmarkHandler() {
        return event -> {
        };
    }

    @Bean
    QueueWorker benchmarkJobs() {
        return new QueueWorker() {
            @Override
            public String queue() {
                return JOB_QUEUE;
            }

            @Override
            public void handle(dev.outboxrelay.jobs.Job job) {
                // a no-op job: what is measured is the queue
            }
        };
    }
}
