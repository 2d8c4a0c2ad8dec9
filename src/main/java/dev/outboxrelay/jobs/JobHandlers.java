package dev.outboxrelay.jobs;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The handlers of this instance, one per queue. The workers claim only jobs of queues registered here,
 * so a job waits for an instance that can run it. {@link QueueWorker} beans register themselves at
 * start-up; code can register handlers at any time with {@link #register}.
 */
@Component
public class JobHandlers {

    private static final Logger log = LoggerFactory.getLogger(JobHandlers.class);

    private final Map<String, JobHandler> handlers = new ConcurrentHashMap<>();
    private final JobWakeScheduler wake;
    private volatile String[] queues = new String[0];

    public JobHandlers(List<QueueWorker> workers, JobWakeScheduler wake) {
        this.wake = wake;
        for (QueueWorker worker : workers) {
            register(worker.queue(), worker);
        }
    }

    /**
     * Runs the jobs of {@code queue} with {@code handler} on this instance until the returned
     * registration is closed.
     *
     * @throws IllegalStateException when the queue already has a handler here
     */
    public Registration register(String queue, JobHandler handler) {
        if (!NewJob.isValidName(queue)) {
            throw new InvalidJobException("queue", "may only hold letters, digits, '.', '_' and '-', up to 200 characters");
        }
        Objects.requireNonNull(handler, "handler");
        if (handlers.putIfAbsent(queue, handler) != null) {
            throw new IllegalStateException("queue '" + queue + "' already has a handler on this instance");
        }
        refresh();
        log.info("Running jobs of queue {} on this instance", queue);
        wake.wake();
        return () -> {
            if (handlers.remove(queue, handler)) {
                refresh();
                log.info("No longer running jobs of queue {} on this instance", queue);
            }
        };
    }

    Optional<JobHandler> forQueue(String queue) {
        return Optional.ofNullable(handlers.get(queue));
    }

    /** The queues this instance runs, as the claim statement takes them. */
    public String[] queues() {
        return queues;
    }

    private synchronized void refresh() {
        queues = handlers.keySet().stream().sorted().toArray(String[]::new);
    }

    /** A handler's registration; closing it stops new claims for its queue on this instance. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {

        @Override
        void close();
    }
}
