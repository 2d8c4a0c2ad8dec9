package dev.outboxrelay.relay;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class RelayConfiguration {

    /**
     * Threads that send one wave's units in parallel. The queue is unbounded on purpose: a wave is at
     * most one batch, and a rejected unit would be an event neither sent nor failed.
     */
    @Bean(destroyMethod = "shutdown")
    public ExecutorService relaySendPool(RelayProperties properties) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(properties.sendThreads(), properties.sendThreads(),
                60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "outbox-relay-send-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
