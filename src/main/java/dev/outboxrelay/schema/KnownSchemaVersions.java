package dev.outboxrelay.schema;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import dev.outboxrelay.consume.ConsumedEvent;
import dev.outboxrelay.consume.IncomingEventCheck;
import dev.outboxrelay.consume.PermanentEventException;

/**
 * Consumers refuse an event whose topic has schemas but not the version the event carries: a newer
 * producer wrote it and this worker cannot know what it means. The refusal is permanent, so the event
 * goes to the dead-letter destination at once, where it waits to be replayed by a worker that knows
 * the version. Topics without schemas take every version.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class KnownSchemaVersions implements IncomingEventCheck {

    private final EventSchemas schemas;

    public KnownSchemaVersions(EventSchemas schemas) {
        this.schemas = schemas;
    }

    @Override
    public void check(ConsumedEvent event) {
        if (!schemas.knows(event.topic(), event.schemaVersion())) {
            throw new PermanentEventException("schema version " + event.schemaVersion() + " of "
                    + event.topic() + " is not known to this consumer (it knows " + schemas.versions(event.topic()) + ")");
        }
    }
}
