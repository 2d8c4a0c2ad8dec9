package dev.outboxrelay.outbox;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered (version 7) UUIDs for event ids. New ids land at the right-hand end of the primary
 * key index instead of on random pages, which keeps inserts cheap as the table grows.
 */
final class EventIds {

    private EventIds() {
    }

    static UUID next() {
        long millis = System.currentTimeMillis();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
