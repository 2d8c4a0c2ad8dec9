package dev.outboxrelay.faults;

import java.util.concurrent.CountDownLatch;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.outboxrelay.OutboxRelayApplication;

/**
 * One process of the fault-injection suite: the service with the test and faults profiles, configured
 * entirely by its {@code --name=value} arguments (servers, relay or consumer role). It prints
 * {@link #READY} once started, and is meant to be killed.
 */
public final class FaultNode {

    static final String READY = "FAULT-NODE READY";

    private FaultNode() {
    }

    public static void main(String[] args) throws InterruptedException {
        new SpringApplicationBuilder(OutboxRelayApplication.class)
                .profiles("test", "faults")
                .web(WebApplicationType.NONE)
                .run(args);
        System.out.println(READY);
        // nothing else keeps a service without a web server alive; the suite ends it with a signal
        new CountDownLatch(1).await();
    }
}
