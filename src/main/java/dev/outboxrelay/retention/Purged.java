package dev.outboxrelay.retention;

/**
 * What one purge run deleted of one kind of record.
 *
 * @param kind       the record kind, as named under {@code outbox.retention}
 * @param rows       rows deleted
 * @param statements delete statements run, each a transaction of at most one batch
 */
public record Purged(String kind, long rows, int statements) {
}
