package dev.outboxrelay.relay;

import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transaction of one relay batch, from the claim to the statements that write its outcome: the claim
 * locks its events (FOR UPDATE SKIP LOCKED) and the transaction holds them while they are sent, so no
 * lease is written into the rows and a relay that dies gives its batch back at once (see
 * {@code db/migration/V10__relay_claim_held.sql}).
 *
 * <p>The transaction is bound to the lane's thread, so every step it wraps must run on that thread: the
 * route's split waits for its parallel sends with {@code synchronous: true}. It commits when the steps
 * end normally and rolls back when they failed or the batch was abandoned ({@link #rollBack}); a rollback
 * writes nothing, and every event of the batch is claimed again.
 */
@Component("relayTransaction")
public class RelayTransaction implements Policy {

    private static final String ROLL_BACK = "outboxRelayRollBack";

    private final TransactionTemplate transactions;

    public RelayTransaction(PlatformTransactionManager transactionManager) {
        this.transactions = new TransactionTemplate(transactionManager);
        transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Marks the batch's transaction to be rolled back when its steps end. */
    public static void rollBack(Exchange exchange) {
        exchange.setProperty(ROLL_BACK, Boolean.TRUE);
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
            if (exchange.getException() != null || exchange.getProperty(ROLL_BACK) != null) {
                status.setRollbackOnly();
            }
        });
    }
}
