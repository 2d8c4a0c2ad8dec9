package dev.outboxrelay.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ADAPTER TO FILL IN after merging issue 5 (the PostgreSQL job queue, package
 * {@code dev.outboxrelay.jobs}): ours in the job-queue scenario. To fill in: {@link #start} (launch the
 * relay process like {@link Ours#start} with the job workers on, {@code workers} of them, and a no-op
 * handler for the benchmark's job type), {@link #enqueue} (one transaction of plain SQL or the Java
 * API's statement), {@link #remaining}, and make {@link #unsupported} answer null.
 */
final class OursJobQueue implements JobQueueSystem {

    @Override
    public String name() {
        return "ours";
    }

    @Override
    public String peerModule() {
        return null;
    }

    @Override
    public String unsupported() {
        if (!Files.isDirectory(Path.of("target/classes/dev/outboxrelay/jobs"))) {
            return "needs the job queue of issue 5 (dev.outboxrelay.jobs), not in this branch yet";
        }
        return "issue 5 is merged: fill in the adapter OursJobQueue (start, enqueue, remaining)";
    }

    @Override
    public void prepare(BenchDatabase database) {
        // the relay's Flyway migrations (applied to every benchmark database) create the job queue
    }

    @Override
    public SystemProcess start(Bench bench, BenchDatabase database, int workers) {
        throw new UnsupportedOperationException("OursJobQueue.start: " + unsupported());
    }

    @Override
    public long enqueue(BenchDatabase database, long first, int count, Runnable beforeCommit) {
        throw new UnsupportedOperationException("OursJobQueue.enqueue: " + unsupported());
    }

    @Override
    public long remaining(BenchDatabase database) {
        throw new UnsupportedOperationException("OursJobQueue.remaining: " + unsupported());
    }
}
