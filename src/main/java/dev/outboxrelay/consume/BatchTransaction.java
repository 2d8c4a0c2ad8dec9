package dev.outboxrelay.consume;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * One database transaction shared by the records of a Kafka batch, bound to the consumer thread while it
 * is open. Each record's idempotent-consumer key and handler run inside it in a savepoint of their own
 * ({@link ConsumerTransaction} uses {@code PROPAGATION_NESTED}), so a failing record rolls back only its
 * own work and the batch pays for one commit (one WAL flush) instead of one per record.
 *
 * <p>What may only happen once the records' work is durable (completions, the processed-events counts and
 * timings) is queued with {@link #afterCommit(Exchange, Runnable)} and runs after the commit, outside any
 * transaction; a transaction that could not commit drops it. Not thread-safe: the consumer thread alone
 * opens, uses and ends it.
 */
public final class BatchTransaction {

    /** Exchange property holding the batch's transaction, for every step a record passes through. */
    public static final String PROPERTY = "outboxBatchTransaction";

    private static final Logger log = LoggerFactory.getLogger(BatchTransaction.class);
    private static final TransactionDefinition DEFINITION =
            new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_REQUIRED);

    private final PlatformTransactionManager transactions;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private TransactionStatus open;

    BatchTransaction(PlatformTransactionManager transactions) {
        this.transactions = transactions;
    }

    /**
     * Runs an action once the work the exchange's record did is committed: at once when the record is not
     * part of an open batch transaction (it committed on its own), else after the batch's commit.
     */
    public static void afterCommit(Exchange exchange, Runnable action) {
        BatchTransaction batch = exchange.getProperty(PROPERTY, BatchTransaction.class);
        if (batch != null && batch.isOpen()) {
            batch.afterCommit.add(action);
        } else {
            action.run();
        }
    }

    /** Opens the transaction unless it is open already. */
    void begin() {
        if (open == null) {
            open = transactions.getTransaction(DEFINITION);
        }
    }

    boolean isOpen() {
        return open != null;
    }

    /**
     * Commits what the records did since the transaction was opened, then runs what waited for that. Answers
     * false when the commit failed and the work was lost (rolled back); true also when nothing was open.
     */
    boolean commit() {
        if (open == null) {
            return true;
        }
        TransactionStatus status = open;
        open = null;
        List<Runnable> actions = List.copyOf(afterCommit);
        afterCommit.clear();
        try {
            transactions.commit(status);
        } catch (RuntimeException e) {
            // the transaction manager has rolled back and released the connection
            log.warn("The batch transaction could not commit: {}", e.toString());
            return false;
        }
        // each action sets the logging context of its own event; the thread's current one comes back after
        Map<String, String> context = MDC.getCopyOfContextMap();
        try {
            for (Runnable action : actions) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.warn("A step after the batch commit failed: {}", e.toString());
                }
            }
        } finally {
            if (context == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(context);
            }
        }
        return true;
    }

    /** Rolls back whatever is open (nothing of it was reported), e.g. when the batch broke off. */
    void rollback() {
        if (open == null) {
            return;
        }
        TransactionStatus status = open;
        open = null;
        afterCommit.clear();
        try {
            transactions.rollback(status);
        } catch (RuntimeException e) {
            log.warn("Rolling back the batch transaction failed: {}", e.toString());
        }
    }
}
