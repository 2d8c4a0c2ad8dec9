package dev.outboxrelay.consume;

import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the steps it wraps in one Spring transaction on the application's data source, and rolls it back
 * when they fail. Unlike Camel's {@code transacted}, it leaves the route's error handling alone: the
 * failure goes back to the calling route, whose dead-letter channel retries the whole transaction (a
 * retry inside a failed PostgreSQL transaction could not work) or dead-letters the event.
 *
 * <p>Its template is {@code PROPAGATION_NESTED} (see {@code ConsumeConfiguration}): while a Kafka batch's
 * {@link BatchTransaction} is bound to the thread, this is a savepoint in it, rolled back alone on failure.
 */
public class ConsumerTransaction implements Policy {

    private final TransactionTemplate transactions;

    public ConsumerTransaction(TransactionTemplate transactions) {
        this.transactions = transactions;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        // synchronous on purpose: the transaction is bound to this thread
        return exchange -> transactions.executeWithoutResult(status -> {
            try {
                processor.process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            if (exchange.getException() != null) {
                status.setRollbackOnly();
            }
        });
    }
}
