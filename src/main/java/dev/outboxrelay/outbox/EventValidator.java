package dev.outboxrelay.outbox;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A check {@link OutboxWriter} runs on every event after its own, before anything is written: a bean of
 * this type refuses an event by throwing {@link InvalidEventException} naming the field and the rule.
 * Event schemas plug in here (see {@code dev.outboxrelay.schema.EventSchemas}).
 */
public interface EventValidator {

    /**
     * @param event   the event as given
     * @param payload its payload, parsed
     * @param where   the prefix of field names in the error, e.g. {@code events[2].} in a batch; empty otherwise
     */
    void validate(OutboxEvent event, JsonNode payload, String where);
}
