package dev.outboxrelay.wake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a polling consumer's poll as soon as it is woken, and otherwise every poll interval, in one or
 * more threads ("lanes").
 *
 * <p>Plugged into a consumer endpoint as its {@code scheduler}: Camel hands over the poll task and
 * starts and stops this with the route. Whoever knows that new work was committed calls
 * {@link #wake()}, which wakes every lane; the interval is the fallback when a wake is missed (work
 * written by another process, or work that only becomes due later). A wake that arrives during a poll
 * is kept, so the next poll follows at once and nothing committed meanwhile waits for the interval.
 * With several lanes the route reads {@link #currentLane()} to split the work between them.
 *
 * <p>With tail polls on, every wake-up is followed by polls at growing intervals ({@link #FIRST_TAIL_POLL},
 * doubling, up to {@link #LAST_TAIL_POLL}; about 1.3 s in all) before the wait falls back to the poll
 * interval: for work committed shortly after the wake-up by a writer that sent no wake-up of its own
 * (the outbox trigger's notification window).
 */
public class WakeablePollScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler {

    private static final Logger log = LoggerFactory.getLogger(WakeablePollScheduler.class);
    /** The wait before the first tail poll after a wake-up. */
    static final Duration FIRST_TAIL_POLL = Duration.ofMillis(5);
    /** The longest wait between two tail polls; the next wait is the poll interval. */
    static final Duration LAST_TAIL_POLL = Duration.ofMillis(640);

    private final String threadName;
    private final Duration pollInterval;
    private final int lanes;
    private final boolean tailPolls;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final ThreadLocal<Integer> lane = new ThreadLocal<>();
    private long wakeups;
    private CamelContext camelContext;
    private volatile Runnable task;
    // the current poll threads; a thread no longer in this list ends after its poll, so a stop
    // followed at once by a start can never leave two threads polling one lane
    private volatile List<Thread> threads = List.of();

    /**
     * @param threadName   the poll threads' name, e.g. {@code outbox-relay-lane}; the lane number is appended
     * @param pollInterval the longest wait between two polls when nothing wakes the scheduler
     * @param lanes        how many threads run the poll, each with its own lane number
     */
    public WakeablePollScheduler(String threadName, Duration pollInterval, int lanes) {
        this(threadName, pollInterval, lanes, false);
    }

    /**
     * @param threadName   the poll threads' name, e.g. {@code outbox-relay-lane}; the lane number is appended
     * @param pollInterval the longest wait between two polls when nothing wakes the scheduler
     * @param lanes        how many threads run the poll, each with its own lane number
     * @param tailPolls    whether every wake-up is followed by polls at growing intervals
     */
    public WakeablePollScheduler(String threadName, Duration pollInterval, int lanes, boolean tailPolls) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1, was " + lanes);
        }
        this.threadName = threadName;
        this.pollInterval = pollInterval;
        this.lanes = lanes;
        this.tailPolls = tailPolls;
    }

    /** Asks every lane for a poll now; cheap and safe to call from any thread, any number of times. */
    public void wake() {
        lock.lock();
        try {
            wakeups++;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The lane of the calling poll thread, 0 to {@code lanes - 1}. */
    public int currentLane() {
        Integer current = lane.get();
        if (current == null) {
            throw new IllegalStateException("not called from a poll thread of " + threadName);
        }
        return current;
    }

    public int lanes() {
        return lanes;
    }

    @Override
    public void onInit(Consumer consumer) {
        // one consumer per route; nothing to prepare
    }

    @Override
    public void scheduleTask(Runnable task) {
        this.task = task;
    }

    @Override
    public void unscheduleTask() {
        this.task = null;
    }

    @Override
    public synchronized void startScheduler() {
        if (!threads.isEmpty()) {
            return;
        }
        List<Thread> started = new ArrayList<>(lanes);
        for (int i = 0; i < lanes; i++) {
            int laneNumber = i;
            Thread thread = new Thread(() -> pollLoop(laneNumber), lanes == 1 ? threadName : threadName + "-" + i);
            thread.setDaemon(true);
            started.add(thread);
        }
        threads = List.copyOf(started);
        started.forEach(Thread::start);
        log.debug("Poll {} started in {} lane(s)", threadName, lanes);
    }

    @Override
    public boolean isSchedulerStarted() {
        return !threads.isEmpty();
    }

    private void pollLoop(int laneNumber) {
        lane.set(laneNumber);
        Thread self = Thread.currentThread();
        long seen = currentWakeups();
        long pollNanos = pollInterval.toNanos();
        // the wait before the next tail poll; 0 while no tail is running
        long tailNanos = 0;
        while (threads.contains(self)) {
            Runnable current = task;
            if (current != null) {
                // ScheduledPollConsumer.run() catches and logs its own failures
                current.run();
            }
            // Camel interrupts threads it finds waiting on an async callback when a route stops; that
            // interrupt is meant for the batch, not for this loop, which only ends when replaced
            Thread.interrupted();
            long wakeupsNow = awaitWake(self, seen, tailNanos > 0 ? Math.min(tailNanos, pollNanos) : pollNanos);
            if (tailPolls && wakeupsNow != seen) {
                tailNanos = FIRST_TAIL_POLL.toNanos();
            } else if (tailNanos > 0) {
                tailNanos = tailNanos * 2 > LAST_TAIL_POLL.toNanos() ? 0 : tailNanos * 2;
            }
            seen = wakeupsNow;
        }
        log.debug("Poll {} lane {} ended", threadName, laneNumber);
    }

    private long currentWakeups() {
        lock.lock();
        try {
            return wakeups;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a wake-up newer than {@code seen}, or {@code nanos}; returns the wake-ups seen. */
    private long awaitWake(Thread self, long seen, long nanos) {
        lock.lock();
        try {
            while (wakeups == seen && threads.contains(self) && nanos > 0) {
                nanos = woken.awaitNanos(nanos);
            }
            return wakeups;
        } catch (InterruptedException e) {
            // see pollLoop: keep polling unless this thread was replaced or stopped
            return seen;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        List<Thread> stopping = threads;
        threads = List.of();
        wake();
        // A poll in progress finishes its batch; Camel's shutdown strategy waits for that exchange.
        for (Thread thread : stopping) {
            if (thread != Thread.currentThread()) {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
