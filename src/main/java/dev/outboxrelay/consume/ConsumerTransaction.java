package dev.outboxrelay.consume;

import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.tx.TransactedSteps;

/**
 * The transaction the idempotent consumer's key and the handler share, rolled back when they fail. The
 * failure goes back to the calling route, whose dead-letter channel retries the whole transaction or
 * dead-letters the event.
 *
 * <p>Its template is {@code PROPAGATION_NESTED} (see {@code ConsumeConfiguration}): while a Kafka batch's
 * {@link BatchTransaction} is bound to the thread, this is a savepoint in it, rolled back alone on failure.
 */
public class ConsumerTransaction extends TransactedSteps {

    public ConsumerTransaction(TransactionTemplate transactions) {
        super(transactions);
    }
}
