package dev.outboxrelay.jobs;

/** Thrown by a handler when running the job again cannot help: the job goes to the failed record at once. */
public class PermanentJobFailure extends RuntimeException {

    public PermanentJobFailure(String message) {
        super(message);
    }

    public PermanentJobFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
