package dev.outboxrelay.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A job to enqueue.
 *
 * @param queue       which workers run it, e.g. {@code welcome-notification}
 * @param payload     the job's input: a JSON object as text, or any object Jackson can write as one
 * @param priority    higher runs first; among equal priorities the earlier {@code runAt}
 * @param runAt       not run before this instant; {@code null} for at once
 * @param uniqueKey   enqueueing a key that the queue already holds is a no-op answering the first job's id;
 *                    {@code null} for no such check
 * @param maxAttempts runs before the job goes to the failed record; {@code null} for {@code outbox.jobs.max-attempts}
 */
public record NewJob(String queue, Object payload, int priority, Instant runAt, String uniqueKey, Integer maxAttempts) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    static final int MAX_KEY_LENGTH = 512;

    public static Builder builder(String queue) {
        return new Builder(queue);
    }

    /** Whether a queue or schedule name is acceptable: letters, digits, '.', '_' and '-', up to 200. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Builds a {@link NewJob}; only the queue is required (the payload defaults to an empty object). */
    public static final class Builder {
        private final String queue;
        private Object payload = "{}";
        private int priority;
        private Instant runAt;
        private String uniqueKey;
        private Integer maxAttempts;

        private Builder(String queue) {
            this.queue = queue;
        }

        public Builder payload(Object payload) {
            this.payload = payload;
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder runAt(Instant runAt) {
            this.runAt = runAt;
            return this;
        }

        public Builder delay(Duration delay) {
            this.runAt = Instant.now().plus(delay);
            return this;
        }

        public Builder uniqueKey(String uniqueKey) {
            this.uniqueKey = uniqueKey;
            return this;
        }

        public Builder maxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public NewJob build() {
            return new NewJob(queue, payload, priority, runAt, uniqueKey, maxAttempts);
        }
    }
}
