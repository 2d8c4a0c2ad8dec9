package dev.outboxrelay.relay;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Logs what the relay did every {@code outbox.relay.activity-log-interval} when it did anything: events
 * published and failed, batches, and where a batch's time went (claim, send, writing back). The same
 * figures are metrics; the log line lets an operator see them without a dashboard.
 */
@Component
public class RelayActivityLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RelayActivityLog.class);
    private static final String[] PHASES = {"claim", "send", "settle"};

    private final MeterRegistry meters;
    private final Duration interval;
    private ScheduledExecutorService scheduler;
    private double lastPublished;
    private double lastFailed;
    private final long[] lastCounts = new long[PHASES.length];
    private final double[] lastTotals = new double[PHASES.length];

    public RelayActivityLog(MeterRegistry meters, RelayProperties properties) {
        this.meters = meters;
        this.interval = properties.activityLogInterval();
    }

    synchronized void report() {
        double published = sum("outbox.relay.published");
        double failed = sum("outbox.relay.failures");
        StringBuilder phases = new StringBuilder();
        long batches = 0;
        for (int i = 0; i < PHASES.length; i++) {
            Timer timer = meters.find("outbox.relay.batch.phase").tag("phase", PHASES[i]).timer();
            long count = timer == null ? 0 : timer.count();
            double total = timer == null ? 0 : timer.totalTime(TimeUnit.MILLISECONDS);
            long newCount = count - lastCounts[i];
            double mean = newCount == 0 ? 0 : (total - lastTotals[i]) / newCount;
            phases.append(i == 0 ? "" : ", ").append(PHASES[i]).append(' ').append(Math.round(mean)).append(" ms");
            if (i == 0) {
                batches = newCount;
            }
            lastCounts[i] = count;
            lastTotals[i] = total;
        }
        long newPublished = Math.round(published - lastPublished);
        long newFailed = Math.round(failed - lastFailed);
        lastPublished = published;
        lastFailed = failed;
        if (batches > 0) {
            log.info("Relayed {} event(s) ({}/s), {} failed, in {} batch(es); per batch: {}", newPublished,
                    Math.round(newPublished / (interval.toMillis() / 1000.0)), newFailed, batches, phases);
        }
    }

    private double sum(String counter) {
        return meters.find(counter).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Override
    public synchronized void start() {
        if (interval.isZero()) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "outbox-relay-activity");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleAtFixedRate(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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
