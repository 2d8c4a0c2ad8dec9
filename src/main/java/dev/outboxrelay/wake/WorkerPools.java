package dev.outboxrelay.wake;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread pools that run the items of one polled batch in parallel. */
public final class WorkerPools {

    private WorkerPools() {
    }

    /**
     * A fixed pool of daemon threads named {@code <prefix>-<n>} that end when idle. The queue is
     * unbounded on purpose: it holds at most one batch, and a rejected item would be claimed but never
     * handled. Tasks start in submission order.
     */
    public static ExecutorService fixed(String prefix, int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
