package dev.outboxrelay.outbox;

import java.util.UUID;

/**
 * What writing one event did.
 *
 * @param id      the event's id: the new one, or the first event's when the dedupe key was already taken
 * @param created false when an event with the same dedupe key already existed and nothing was written
 */
public record OutboxWrite(UUID id, boolean created) {
}
