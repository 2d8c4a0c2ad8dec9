package dev.outboxrelay.completion;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.outboxrelay.jobs.NewJob;

/**
 * Completion push to other systems by webhook.
 *
 * @param signingSecret the HMAC-SHA256 key that signs every call, unless a subscription has its own;
 *                      pass it by environment variable ({@code OUTBOX_WEBHOOKS_SIGNINGSECRET})
 * @param maxAttempts   calls of one delivery before it goes to the failed jobs (waits follow outbox.jobs.backoff)
 * @param timeout       the longest one call may take, connection included
 * @param subscriptions who gets called for which completions
 */
@ConfigurationProperties("outbox.webhooks")
@Validated
public record WebhookProperties(
        String signingSecret,
        @DefaultValue("8") @Min(1) @Max(1000) int maxAttempts,
        @DefaultValue("5s") @NotNull Duration timeout,
        @DefaultValue List<Subscription> subscriptions) {

    static final Set<String> OUTCOMES = Set.of(WorkCompleted.SUCCEEDED, WorkCompleted.FAILED, WorkCompleted.DEAD_LETTERED);

    public WebhookProperties {
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException("outbox.webhooks.timeout must be a positive duration, was " + timeout);
        }
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < subscriptions.size(); i++) {
            String setting = "outbox.webhooks.subscriptions[" + i + "]";
            Subscription subscription = subscriptions.get(i);
            if (subscription == null) {
                throw new IllegalArgumentException(setting + " is empty");
            }
            subscription.check(setting, signingSecret);
            if (!names.add(subscription.name())) {
                throw new IllegalArgumentException(setting + ".name '" + subscription.name() + "' is used twice");
            }
        }
    }

    /** The subscription of that name, or null. */
    public Subscription subscription(String name) {
        return subscriptions.stream().filter(subscription -> subscription.name().equals(name)).findFirst().orElse(null);
    }

    /** The key that signs calls of this subscription. */
    public String secretOf(Subscription subscription) {
        return subscription.secret() != null && !subscription.secret().isBlank() ? subscription.secret() : signingSecret;
    }

    /**
     * One receiver.
     *
     * @param name     names the subscription in delivery records; letters, digits, '.', '_', '-'
     * @param topic    the completions' topic (event topic or job queue); {@code *} stands for any run of characters
     * @param url      where the signed POST goes (http or https)
     * @param outcomes which outcomes are sent; by default the final ones, {@code succeeded} and {@code dead-lettered}
     * @param kinds    {@code event}, {@code job}, or both (the default)
     * @param secret   this subscription's own signing key; empty for {@code outbox.webhooks.signing-secret}
     */
    public record Subscription(
            String name,
            String topic,
            URI url,
            @DefaultValue({"succeeded", "dead-lettered"}) List<String> outcomes,
            @DefaultValue({"event", "job"}) List<String> kinds,
            String secret) {

        void check(String setting, String signingSecret) {
            if (!NewJob.isValidName(name)) {
                throw new IllegalArgumentException(setting + ".name is required and may only hold letters, digits, "
                        + "'.', '_' and '-'");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException(setting + ".topic is required");
            }
            try {
                new CompletionFilter(List.of(topic), Set.of(), Set.copyOf(kinds));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + ": " + e.getMessage());
            }
            if (url == null || url.getHost() == null
                    || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw new IllegalArgumentException(setting + ".url '" + url + "' must be an absolute http or https URL");
            }
            for (String outcome : outcomes) {
                if (!OUTCOMES.contains(outcome)) {
                    throw new IllegalArgumentException(setting + ".outcomes: '" + outcome + "' is not one of " + OUTCOMES);
                }
            }
            if ((secret == null || secret.isBlank()) && (signingSecret == null || signingSecret.isBlank())) {
                throw new IllegalArgumentException(setting + " has no signing key: set outbox.webhooks.signing-secret "
                        + "or " + setting + ".secret");
            }
        }

        boolean wants(Completion completion) {
            return outcomes.contains(completion.outcome()) && kinds.contains(completion.kind())
                    && CompletionFilter.topicMatches(topic, completion.topic());
        }
    }
}
