package dev.outboxrelay.wake;

import java.time.Duration;
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
 * Runs a polling consumer's poll as soon as it is woken, and otherwise every poll interval.
 *
 * <p>Plugged into a consumer endpoint as its {@code scheduler}: Camel hands over the poll task and
 * starts and stops this with the route. Whoever knows that new work was committed calls
 * {@link #wake()}; the interval is the fallback when a wake is missed (work written by another
 * process, or work that only becomes due later). A wake that arrives during a poll is kept, so the
 * next poll follows at once and nothing committed meanwhile waits for the interval.
 */
public class WakeablePollScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler {

    private static final Logger log = LoggerFactory.getLogger(WakeablePollScheduler.class);

    private final String threadName;
    private final Duration pollInterval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean wakeRequested;
    private CamelContext camelContext;
    private volatile Runnable task;
    // the current poll thread; a thread that is no longer this one ends after its poll, so a stop
    // followed at once by a start can never leave two threads polling
    private volatile Thread loop;

    /**
     * @param threadName   the poll thread's name, e.g. {@code outbox-relay-poll}
     * @param pollInterval the longest wait between two polls when nothing wakes the scheduler
     */
    public WakeablePollScheduler(String threadName, Duration pollInterval) {
        this.threadName = threadName;
        this.pollInterval = pollInterval;
    }

    /** Asks for a poll now; cheap and safe to call from any thread, any number of times. */
    public void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
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
        if (loop != null) {
            return;
        }
        Thread thread = new Thread(this::pollLoop, threadName);
        thread.setDaemon(true);
        loop = thread;
        thread.start();
        log.debug("Poll loop {} started", threadName);
    }

    @Override
    public boolean isSchedulerStarted() {
        return loop != null;
    }

    private void pollLoop() {
        Thread self = Thread.currentThread();
        while (loop == self) {
            Runnable current = task;
            if (current != null) {
                // ScheduledPollConsumer.run() catches and logs its own failures
                current.run();
            }
            // Camel interrupts threads it finds waiting on an async callback when a route stops; that
            // interrupt is meant for the batch, not for this loop, which only ends when replaced
            Thread.interrupted();
            awaitWake(self);
        }
        log.debug("Poll loop {} ended", threadName);
    }

    private void awaitWake(Thread self) {
        lock.lock();
        try {
            long nanos = pollInterval.toNanos();
            while (!wakeRequested && loop == self && nanos > 0) {
                nanos = woken.awaitNanos(nanos);
            }
            wakeRequested = false;
        } catch (InterruptedException e) {
            // see pollLoop: keep polling unless this thread was replaced or stopped
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        Thread thread = loop;
        loop = null;
        wake();
        // A poll in progress finishes its batch; Camel's shutdown strategy waits for that exchange.
        if (thread != null && thread != Thread.currentThread()) {
            thread.join(TimeUnit.SECONDS.toMillis(1));
            if (thread.isAlive()) {
                log.debug("Poll {} still finishing its batch while the route stops", threadName);
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
