package dev.outboxrelay.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.Delivered;

/**
 * Checks what a broker delivered against what was written: events carry {"aggregate": a, "n": i}
 * with i counting up from 0 per aggregate in commit order.
 */
final class DeliveryOrder {

    private static final ObjectMapper JSON = new ObjectMapper();

    final int delivered;
    final int duplicates;
    final List<String> missing = new ArrayList<>();
    final List<String> outOfOrder = new ArrayList<>();

    private DeliveryOrder(List<Delivered> messages, Map<String, Integer> expected) {
        delivered = messages.size();
        Map<String, Integer> lastFirstSeen = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int dupes = 0;
        for (Delivered message : messages) {
            JsonNode event = parse(message.body());
            String aggregate = event.path("aggregate").asText();
            int n = event.path("n").asInt(-1);
            if (!seen.add(aggregate + "#" + n)) {
                dupes++;
                continue;
            }
            Integer previous = lastFirstSeen.put(aggregate, n);
            if (previous != null && previous > n) {
                outOfOrder.add(aggregate + ": " + n + " after " + previous);
            }
        }
        duplicates = dupes;
        expected.forEach((aggregate, count) -> {
            for (int n = 0; n < count; n++) {
                if (!seen.contains(aggregate + "#" + n)) {
                    missing.add(aggregate + "#" + n);
                }
            }
        });
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not a test event: " + body, e);
        }
    }

    /**
     * Reads from the probe until every expected event has arrived at least once (duplicates count
     * towards nothing), or the timeout passes, and checks what arrived.
     */
    static DeliveryOrder read(BrokerProbe probe, Map<String, Integer> expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        List<Delivered> messages = probe.read(total, timeout);
        DeliveryOrder order = check(messages, expected);
        while (!order.missing.isEmpty() && System.nanoTime() < deadline) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            try {
                messages = probe.read(messages.size() + order.missing.size(), left);
            } catch (AssertionError timedOut) {
                break;
            }
            order = check(messages, expected);
        }
        return order;
    }

    /**
     * @param messages as the broker delivered them (duplicates allowed)
     * @param expected events written per aggregate
     */
    static DeliveryOrder check(List<Delivered> messages, Map<String, Integer> expected) {
        return new DeliveryOrder(messages, expected);
    }

    @Override
    public String toString() {
        return delivered + " delivered, " + duplicates + " duplicates, " + missing.size() + " missing, "
                + outOfOrder.size() + " out of order" + (outOfOrder.isEmpty() ? "" : " e.g. " + outOfOrder.get(0));
    }
}
