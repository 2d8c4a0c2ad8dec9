package dev.outboxrelay.consume;

/**
 * A check every consumed event passes before its handler runs, outside the handler's transaction: the
 * single place where the service refuses events it cannot understand (e.g. a schema registry refusing an
 * unknown schema version). Every bean implementing this is applied, in {@code @Order}; with none, every
 * event is accepted.
 */
@FunctionalInterface
public interface IncomingEventCheck {

    /**
     * @throws PermanentEventException to dead-letter the event at once, without redelivery
     */
    void check(ConsumedEvent event);
}
