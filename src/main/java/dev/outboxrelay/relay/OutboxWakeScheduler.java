package dev.outboxrelay.relay;

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
import org.springframework.stereotype.Component;

/**
 * Runs the relay route's poll in {@code outbox.relay.lanes} threads ("lanes"), each as soon as it is
 * woken and otherwise every poll interval.
 *
 * <p>Plugged into the relay route's scheduler endpoint: Camel hands over the poll task and starts and
 * stops this with the route. Each lane claims only the slots with {@code slot % lanes == lane}, so the
 * lanes never share an aggregate and one lane's claim and settle statements overlap with another
 * lane's wait for broker acknowledgements. {@link OutboxNotifications} wakes every lane when PostgreSQL
 * reports newly committed events; the interval is the fallback when a notification is missed. A wake
 * that arrives during a poll is kept, so nothing committed meanwhile waits for the interval.
 */
@Component("outboxWakeScheduler")
public class OutboxWakeScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler {

    private static final Logger log = LoggerFactory.getLogger(OutboxWakeScheduler.class);

    private final Duration pollInterval;
    private final int lanes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final ThreadLocal<Integer> lane = new ThreadLocal<>();
    private long wakeups;
    private CamelContext camelContext;
    private volatile Runnable task;
    // the current poll threads; a thread no longer in this list ends after its poll, so a stop
    // followed at once by a start can never leave two threads polling one lane
    private volatile List<Thread> threads = List.of();

    public OutboxWakeScheduler(RelayProperties properties) {
        this.pollInterval = properties.pollInterval();
        this.lanes = properties.lanes();
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

    /** The lane of the calling poll thread, which the relay route's claim filters its slots by. */
    public int currentLane() {
        Integer current = lane.get();
        if (current == null) {
            throw new IllegalStateException("not called from a relay poll thread");
        }
        return current;
    }

    public int lanes() {
        return lanes;
    }

    @Override
    public void onInit(Consumer consumer) {
        // one relay route per instance; nothing to prepare
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
            Thread thread = new Thread(() -> pollLoop(laneNumber), "outbox-relay-lane-" + i);
            thread.setDaemon(true);
            started.add(thread);
        }
        threads = List.copyOf(started);
        started.forEach(Thread::start);
        log.debug("Relay poll started in {} lane(s)", lanes);
    }

    @Override
    public boolean isSchedulerStarted() {
        return !threads.isEmpty();
    }

    private void pollLoop(int laneNumber) {
        lane.set(laneNumber);
        Thread self = Thread.currentThread();
        long seen = currentWakeups();
        while (threads.contains(self)) {
            Runnable current = task;
            if (current != null) {
                // ScheduledPollConsumer.run() catches and logs its own failures
                current.run();
            }
            // Camel interrupts threads it finds waiting on an async callback when a route stops; that
            // interrupt is meant for the batch, not for this loop, which only ends when replaced
            Thread.interrupted();
            seen = awaitWake(self, seen);
        }
        log.debug("Relay poll lane {} ended", laneNumber);
    }

    private long currentWakeups() {
        lock.lock();
        try {
            return wakeups;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a wake-up newer than {@code seen}, or the poll interval; returns the wake-ups seen. */
    private long awaitWake(Thread self, long seen) {
        lock.lock();
        try {
            long nanos = pollInterval.toNanos();
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
