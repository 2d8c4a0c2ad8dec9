package dev.outboxrelay.observe;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Refreshes every {@link RefreshedMetrics} one after the other on one background thread, every
 * {@code outbox.metrics.refresh}. One failing source (a broker that is down) is logged and leaves the
 * others' figures current.
 */
@Component
public class MetricsRefresh implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MetricsRefresh.class);

    private final List<RefreshedMetrics> sources;
    private final long intervalMillis;
    private ScheduledExecutorService scheduler;

    public MetricsRefresh(List<RefreshedMetrics> sources, MetricsProperties properties) {
        this.sources = sources;
        this.intervalMillis = properties.refresh().toMillis();
    }

    /** Reads every source now, on the caller's thread. */
    public void refreshNow() {
        for (RefreshedMetrics source : sources) {
            try {
                source.refresh();
            } catch (RuntimeException e) {
                log.warn("Could not refresh {}: {}", source.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "outbox-metrics");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::refreshNow, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
