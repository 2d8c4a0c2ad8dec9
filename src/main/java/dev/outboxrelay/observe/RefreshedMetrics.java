package dev.outboxrelay.observe;

/**
 * Metrics whose figures come from the database or the brokers: read in the background by
 * {@link MetricsRefresh}, so a Prometheus scrape or a dashboard poll only reads what is already there.
 */
public interface RefreshedMetrics {

    /** Reads the figures now. */
    void refresh();
}
