package dev.outboxrelay.api;

import java.time.Duration;

import dev.outboxrelay.support.RelayTestSupport;

/** The intake tests share the test profile's low backlog limits with every other test. */
final class IntakeDoor {

    private IntakeDoor() {
    }

    /** Waits until a backlog left by an earlier test has drained and the intake takes work again. */
    static void awaitOpen(IntakeBackpressure backpressure) {
        RelayTestSupport.await("intake takes work", Duration.ofSeconds(90), () ->
                !backpressure.state().refusingEvents() && !backpressure.state().refusingJobs());
    }
}
