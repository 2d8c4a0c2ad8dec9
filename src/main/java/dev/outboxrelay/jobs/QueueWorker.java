package dev.outboxrelay.jobs;

/** A {@link JobHandler} that is a Spring bean: it is registered for its queue when the application starts. */
public interface QueueWorker extends JobHandler {

    /** The queue whose jobs this worker runs. */
    String queue();
}
