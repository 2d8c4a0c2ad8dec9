package dev.outboxrelay.benchmark.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Producer transactions at a fixed offered rate: transaction k is due at {@code start + k * size / rate}
 * and is taken by the next free worker; a worker that falls behind runs the next one at once, so the
 * achieved rate shows when the database cannot keep up. Rate 0 means as fast as the workers can go.
 */
public final class PacedProducer {

    /** Writes events {@code first .. first + count - 1} in one transaction, on worker {@code worker}'s connection. */
    @FunctionalInterface
    public interface Transaction {
        void write(int worker, long first, int count) throws Exception;
    }

    private PacedProducer() {
    }

    /**
     * @param deadlineMillis stop starting transactions after this long, whatever is left
     * @return commit time of each event, 0 for events not written
     */
    public static CommitTimes run(long first, int events, int perTransaction, double rate, int workers,
                                  long deadlineMillis, Transaction transaction) throws InterruptedException {
        long[] micros = new long[events];
        int transactions = (events + perTransaction - 1) / perTransaction;
        AtomicLong next = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        double nanosPerTransaction = rate <= 0 ? 0 : perTransaction * 1e9 / rate;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Thread thread = new Thread(() -> {
                long k;
                while ((k = next.getAndIncrement()) < transactions && failure.get() == null) {
                    long due = start + (long) (k * nanosPerTransaction);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (System.nanoTime() > deadline) {
                        return;
                    }
                    int offset = (int) (k * perTransaction);
                    int count = Math.min(perTransaction, events - offset);
                    try {
                        transaction.write(worker, first + offset, count);
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                    long committed = Micros.now();
                    for (int i = 0; i < count; i++) {
                        micros[offset + i] = committed;
                    }
                }
            }, "producer-" + w);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a producer transaction failed", failure.get());
        }
        return new CommitTimes(first, micros);
    }
}
