package dev.outboxrelay.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import dev.outboxrelay.routing.TopicPatterns;

/**
 * Per-topic publish rate limits ({@code outbox.relay.rate-limits}): a token bucket per topic that
 * matches a rule, refilled at the rule's rate and holding at most one second's worth. An event that
 * finds no token is deferred (it waits in the outbox without an attempt counted), and a topic whose
 * bucket is empty is not claimed until it refills, so a limited topic never slows the others.
 */
@Component("topicRateLimits")
public class TopicRateLimits {

    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public TopicRateLimits(RelayProperties properties) {
        for (RelayProperties.RateLimit limit : properties.rateLimits()) {
            rules.add(new Rule(TopicPatterns.compile(limit.topic()), limit.perSecond()));
        }
    }

    /** Takes a token for one event of the topic; false when the topic is at its limit. */
    boolean tryAcquire(String topic) {
        Bucket bucket = bucketOf(topic);
        return bucket == null || bucket.tryTake();
    }

    /** How long until the topic has a token again, in milliseconds. */
    long millisUntilNext(String topic) {
        Bucket bucket = bucketOf(topic);
        return bucket == null ? 0 : bucket.millisUntilNext();
    }

    /** Topics whose bucket is empty right now: not worth claiming. */
    List<String> exhaustedTopics() {
        if (buckets.isEmpty()) {
            return List.of();
        }
        List<String> exhausted = new ArrayList<>();
        buckets.forEach((topic, bucket) -> {
            if (bucket.millisUntilNext() > 0) {
                exhausted.add(topic);
            }
        });
        return exhausted;
    }

    private Bucket bucketOf(String topic) {
        if (rules.isEmpty()) {
            return null;
        }
        Bucket known = buckets.get(topic);
        if (known != null) {
            return known;
        }
        for (Rule rule : rules) {
            if (rule.topic().matcher(topic).matches()) {
                return buckets.computeIfAbsent(topic, name -> new Bucket(rule.perSecond()));
            }
        }
        return null;
    }

    private record Rule(Pattern topic, double perSecond) {
    }

    /** Tokens refill continuously at {@code perSecond}, up to one second's worth. */
    private static final class Bucket {
        private final double perSecond;
        private double tokens;
        private long refilledNanos = System.nanoTime();

        Bucket(double perSecond) {
            this.perSecond = perSecond;
            this.tokens = Math.max(1, perSecond);
        }

        synchronized boolean tryTake() {
            refill();
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized long millisUntilNext() {
            refill();
            return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perSecond * 1000);
        }

        private void refill() {
            long now = System.nanoTime();
            tokens = Math.min(Math.max(1, perSecond), tokens + (now - refilledNanos) / 1e9 * perSecond);
            refilledNanos = now;
        }
    }
}
