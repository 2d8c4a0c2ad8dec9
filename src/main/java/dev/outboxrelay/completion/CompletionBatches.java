package dev.outboxrelay.completion;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for completions that arrive outside any transaction (the consumers publish theirs after
 * their own commit). Completion writers are serialised from insert to commit (that is what makes
 * {@code seq} commit order), so one transaction per completion would cap the whole service at one
 * commit's worth of completions at a time. A single writer thread takes whatever has queued up (the
 * first completion at once, the ones that arrived meanwhile together) and records them in one
 * transaction.
 *
 * <p>What is queued and not yet written is lost if the process dies, as a completion recorded after
 * the worker's commit always could be; a graceful stop writes everything first. When the queue is full
 * the caller writes its completion itself, which slows the workers down instead of growing the queue.
 */
final class CompletionBatches implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompletionBatches.class);
    private static final long RETRY_PAUSE_MILLIS = 500;

    private final BlockingQueue<WorkCompleted> queue;
    private final int maxBatch;
    private final Consumer<List<WorkCompleted>> writeBatch;
    private final Thread writer;
    private volatile boolean running = true;

    CompletionBatches(int capacity, int maxBatch, Consumer<List<WorkCompleted>> writeBatch) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.writeBatch = writeBatch;
        this.writer = new Thread(this::writeUntilClosed, "completion-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a completion; false when the queue is full or closed, and the caller must write it itself. */
    boolean offer(WorkCompleted work) {
        return running && queue.offer(work);
    }

    private void writeUntilClosed() {
        List<WorkCompleted> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                WorkCompleted first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                writeWithRetries(batch);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeWithRetries(List<WorkCompleted> batch) throws InterruptedException {
        while (true) {
            try {
                writeBatch.accept(batch);
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    log.error("Could not record {} completion(s) while stopping; they are lost: {}", batch.size(),
                            e.getMessage());
                    return;
                }
                log.warn("Could not record {} completion(s), trying again: {}", batch.size(), e.getMessage());
                Thread.sleep(RETRY_PAUSE_MILLIS);
            }
        }
    }

    /** Stops taking completions and waits for the queued ones to be written. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
