package dev.outboxrelay.benchmark;

/** A PostgreSQL job queue running no-op jobs: ours (issue 5) or db-scheduler. */
interface JobQueueSystem {

    String name();

    /** The peer module holding it (benchmark/peers/...), or null for ours. */
    String peerModule();

    /** Why it cannot run here, or null. */
    default String unsupported() {
        return null;
    }

    /** Creates what the system needs in its database beyond the relay's migrations. */
    void prepare(BenchDatabase database) throws Exception;

    /** Starts the system with {@code workers} workers. */
    SystemProcess start(Bench bench, BenchDatabase database, int workers) throws Exception;

    /**
     * Enqueues no-op jobs {@code first .. first + count - 1} in one transaction; {@code beforeCommit}
     * runs just before the commit (so a phase counts the system's work, not the enqueueing); returns
     * the commit time.
     */
    long enqueue(BenchDatabase database, long first, int count, Runnable beforeCommit) throws Exception;

    /** Jobs not yet run. */
    long remaining(BenchDatabase database) throws Exception;

    default String note() {
        return "";
    }
}
