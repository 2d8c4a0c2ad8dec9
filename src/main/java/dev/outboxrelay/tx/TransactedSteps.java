package dev.outboxrelay.tx;

import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the route steps it wraps in one Spring transaction on the application's data source, bound to the
 * calling thread, and rolls it back when they failed or {@link #rollBackRequested} says so. Unlike Camel's
 * {@code transacted}, it leaves the route's error handling alone: a failure goes back to the calling
 * route, whose error handler decides what follows (a retry inside a failed PostgreSQL transaction could
 * not work). Synchronous on purpose: every wrapped step must run on the thread the transaction is bound to.
 */
public abstract class TransactedSteps implements Policy {

    private final TransactionTemplate transactions;

    protected TransactedSteps(TransactionTemplate transactions) {
        this.transactions = transactions;
    }

    /** Whether the steps, though they ended without an exception, asked for their work to be undone. */
    protected boolean rollBackRequested(Exchange exchange) {
        return false;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        return exchange -> transactions.executeWithoutResult(status -> {
            try {
                processor.process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            if (exchange.getException() != null || rollBackRequested(exchange)) {
                status.setRollbackOnly();
            }
        });
    }
}
