package dev.outboxrelay.relay;

import java.util.concurrent.ExecutorService;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.outboxrelay.wake.WorkerPools;

@Configuration(proxyBeanMethods = false)
public class RelayConfiguration {

    /**
     * Threads that send one wave's units in parallel. A wave is at most one batch, and a rejected unit
     * would be an event neither sent nor failed, so the pool never rejects.
     */
    @Bean(destroyMethod = "shutdown")
    public ExecutorService relaySendPool(RelayProperties properties) {
        return WorkerPools.fixed("outbox-relay-send", properties.sendThreads());
    }
}
