package dev.outboxrelay.observe;

import java.time.Instant;
import java.util.List;

/**
 * What the dashboard shows, as {@code GET /dashboard/api/summary} answers it. Counts since start-up are
 * totals; the page turns consecutive totals into rates. Figures read from the database and the brokers
 * are as of the last background refresh ({@code outbox.metrics.refresh}).
 *
 * @param at         when the summary was put together
 * @param topics     one row per topic seen in the outbox, the relay or the consumers
 * @param consumers  one row per consumer and source it reads
 * @param circuits   the relay's circuit breaker per broker
 * @param jobQueues  one row per job queue with unfinished jobs or settled jobs since start-up
 */
public record DashboardSummary(Instant at, List<Topic> topics, List<Consumer> consumers, List<Circuit> circuits,
                               List<JobQueue> jobQueues) {

    /**
     * @param broker             where the routing table sends the topic ({@code none} without a route)
     * @param backlog            events waiting to be published, not parked
     * @param oldestAgeSeconds   age of the oldest of them
     * @param parked             events parked after their last attempt
     * @param published          events published since start-up (this instance)
     * @param publishFailures    failed publish attempts since start-up
     * @param consumerLag        messages waiting at the broker for the consumers reading this topic; null
     *                           when no consumer here reads it. On SQS and RabbitMQ it is the depth of the
     *                           queue the topic goes to, shared with any other topic routed there
     * @param handled            events handled by the consumers since start-up
     * @param processingP95Millis 95th percentile of the consumers' processing time (receive to commit,
     *                           retries included) over the last minutes; null before any event
     * @param failures           failed handling attempts since start-up
     * @param retries            redeliveries inside the consumers since start-up
     * @param deadLetters        dead letters waiting in the ledger (not replayed)
     */
    public record Topic(String topic, String broker, long backlog, double oldestAgeSeconds, long parked, long published,
                        long publishFailures, Long consumerLag, long handled, Double processingP95Millis, long failures,
                        long retries, long deadLetters) {
    }

    /**
     * @param source  the Kafka topic, SQS queue or RabbitMQ queue read
     * @param lag     messages waiting there for the consumer
     * @param running whether its route is started
     */
    public record Consumer(String consumer, String broker, String source, long lag, boolean running) {
    }

    /** @param state closed, open or half-open */
    public record Circuit(String broker, String state) {
    }

    /**
     * @param ready                  due jobs waiting for a worker
     * @param oldestReadyAgeSeconds  how long the oldest of them has been due
     * @param running                jobs under a live lease
     * @param scheduled              jobs waiting for a later run time
     * @param succeeded              jobs that succeeded since start-up (this instance)
     * @param failed                 job runs that failed since start-up (retried or not)
     */
    public record JobQueue(String queue, long ready, double oldestReadyAgeSeconds, long running, long scheduled,
                           long succeeded, long failed) {
    }
}
