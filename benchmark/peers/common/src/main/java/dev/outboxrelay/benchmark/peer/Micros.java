package dev.outboxrelay.benchmark.peer;

import java.time.Instant;

/**
 * Wall-clock time in microseconds. The harness and every system under test run on one machine, so
 * their clocks agree; commit times taken in one process and receive times in another can be subtracted.
 */
public final class Micros {

    private Micros() {
    }

    public static long now() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
