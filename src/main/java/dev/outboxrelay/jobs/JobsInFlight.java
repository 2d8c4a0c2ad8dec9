package dev.outboxrelay.jobs;

import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The jobs this instance has claimed and not yet settled: their ids, whose leases the renewal keeps
 * alive, and how many of them have not started or not been settled, which decides when the next batch
 * may be claimed.
 */
@Component
public class JobsInFlight implements DisposableBean {

    private final Set<UUID> ids = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // claimed runs not ended yet (waiting to start or running); read without the lock by the settle writer
    private final AtomicInteger unended = new AtomicInteger();
    private int notStarted;
    private int unsettled;
    private boolean closed;

    void claimed(Collection<RunningJob> jobs) {
        jobs.forEach(job -> ids.add(job.id()));
        unended.addAndGet(jobs.size());
        lock.lock();
        try {
            notStarted += jobs.size();
            unsettled += jobs.size();
        } finally {
            lock.unlock();
        }
    }

    void started() {
        lock.lock();
        try {
            notStarted--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void runEnded() {
        unended.decrementAndGet();
    }

    /** Whether a run claimed here has yet to end: more runs may reach the settle writer soon. */
    boolean runsUnended() {
        return unended.get() > 0;
    }

    /** The jobs are settled, or settling them was given up and their leases must run out. */
    void ended(Collection<RunningJob> jobs) {
        jobs.forEach(job -> ids.remove(job.id()));
        lock.lock();
        try {
            unsettled -= jobs.size();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Jobs that were claimed but will never start here (the run pool is gone): their leases run out. */
    void neverStarted(Collection<RunningJob> jobs) {
        unended.addAndGet(-jobs.size());
        lock.lock();
        try {
            notStarted -= jobs.size();
        } finally {
            lock.unlock();
        }
        ended(jobs);
    }

    /**
     * Waits until the next batch may be claimed: every claimed job has started, and at most
     * {@code batchSize} jobs await their settle. So an instance holds no more than the jobs it runs plus
     * one batch, and claiming the next batch overlaps the settle of the last one.
     */
    void awaitRoom(int batchSize) {
        lock.lock();
        try {
            while (!closed && (notStarted > 0 || unsettled > batchSize)) {
                // timed, so a stop that finds this thread waiting still ends it
                changed.await(200, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    UUID[] ids() {
        return ids.toArray(UUID[]::new);
    }

    boolean isEmpty() {
        return ids.isEmpty();
    }

    @Override
    public void destroy() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
