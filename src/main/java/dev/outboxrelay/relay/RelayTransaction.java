package dev.outboxrelay.relay;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.tx.TransactedSteps;

/**
 * The transaction of one relay batch, from the claim to the statements that write its outcome: the claim
 * locks its events (FOR UPDATE SKIP LOCKED) and the transaction holds them while they are sent, so no
 * lease is written into the rows and a relay that dies gives its batch back at once (see
 * {@code db/migration/V10__relay_claim_held.sql}).
 *
 * <p>The transaction is bound to the lane's thread, so the route's split waits for its parallel sends
 * with {@code synchronous: true}. It commits when the steps end normally and rolls back when they failed
 * or the batch was abandoned ({@link #rollBack}); a rollback writes nothing, and every event of the batch
 * is claimed again.
 */
@Component("relayTransaction")
public class RelayTransaction extends TransactedSteps {

    private static final String ROLL_BACK = "outboxRelayRollBack";

    public RelayTransaction(PlatformTransactionManager transactionManager) {
        super(template(transactionManager));
    }

    private static TransactionTemplate template(PlatformTransactionManager transactionManager) {
        TransactionTemplate template = new TransactionTemplate(transactionManager);
        template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        return template;
    }

    /** Marks the batch's transaction to be rolled back when its steps end. */
    public static void rollBack(Exchange exchange) {
        exchange.setProperty(ROLL_BACK, Boolean.TRUE);
    }

    @Override
    protected boolean rollBackRequested(Exchange exchange) {
        return exchange.getProperty(ROLL_BACK) != null;
    }
}
