package dev.outboxrelay.relay;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.stereotype.Component;

/**
 * This instance's identity in leases and the values the relay's SQL files read through
 * {@code ${bean:relayClaim.…}}, so the statements stay plain SQL with named parameters.
 */
@Component("relayClaim")
public class RelayClaim {

    private final RelayProperties properties;
    private final RelayCircuits circuits;
    private final TopicRateLimits rateLimits;
    private final String owner;

    public RelayClaim(RelayProperties properties, RelayCircuits circuits, TopicRateLimits rateLimits) {
        this.properties = properties;
        this.circuits = circuits;
        this.rateLimits = rateLimits;
        this.owner = properties.instanceId() != null && !properties.instanceId().isBlank()
                ? properties.instanceId()
                : hostName() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "relay";
        }
    }

    public String owner() {
        return owner;
    }

    public int lanes() {
        return properties.lanes();
    }

    public int batchSize() {
        return properties.batchSize();
    }

    public double leaseSeconds() {
        return properties.lease().toMillis() / 1000.0;
    }

    public double backoffInitialSeconds() {
        return properties.backoff().initial().toMillis() / 1000.0;
    }

    public double backoffMultiplier() {
        return properties.backoff().multiplier();
    }

    public double backoffMaxSeconds() {
        return properties.backoff().max().toMillis() / 1000.0;
    }

    public int maxAttempts() {
        return properties.maxAttempts();
    }

    /**
     * Topics the next claim leaves alone: their broker's circuit is open, or they are at their rate
     * limit. Their events wait in the outbox, and everything else keeps flowing.
     */
    public String[] pausedTopics() {
        List<String> paused = new ArrayList<>(circuits.pausedTopics());
        paused.addAll(rateLimits.exhaustedTopics());
        return paused.toArray(String[]::new);
    }
}
