package dev.outboxrelay.security;

import java.util.List;
import java.util.regex.Pattern;

import jakarta.validation.Valid;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Payload fields that must not leave the database as written: per topic pattern, fields dropped,
 * masked, or replaced by a keyed token. The relay applies them to each event it reads, before anything
 * is sent, so brokers, consumers, their dead letters and logs only ever see the result.
 *
 * @param token the key of the tokens; set it by environment ({@code OUTBOX_PRIVACY_TOKEN_KEY})
 * @param rules every rule whose topic matches an event's topic applies to it
 */
@ConfigurationProperties("outbox.privacy")
@Validated
public record PrivacyProperties(@DefaultValue Token token, @DefaultValue List<@Valid Rule> rules) {

    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*");
    static final int MIN_KEY_LENGTH = 16;

    public PrivacyProperties {
        rules = rules == null ? List.of() : List.copyOf(rules);
        boolean tokenises = false;
        for (int i = 0; i < rules.size(); i++) {
            String setting = "outbox.privacy.rules[" + i + "]";
            Rule rule = rules.get(i);
            if (rule == null) {
                throw new IllegalArgumentException(setting + " is empty");
            }
            rule.check(setting);
            tokenises |= !rule.tokenise().isEmpty();
        }
        String key = token == null ? null : token.key();
        if (tokenises && (key == null || key.isBlank())) {
            throw new IllegalArgumentException("outbox.privacy.token.key is not set, and rules tokenise fields: give it "
                    + "by environment (OUTBOX_PRIVACY_TOKEN_KEY)");
        }
        if (tokenises && key.length() < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException("outbox.privacy.token.key must be at least " + MIN_KEY_LENGTH
                    + " characters");
        }
    }

    /** @param key the HMAC-SHA256 key: equal values give equal tokens only under the same key */
    public record Token(String key) {

        @Override
        public String toString() {
            return "Token[key=" + (key == null || key.isBlank() ? "unset" : "***") + "]";
        }
    }

    /**
     * One topic pattern's fields. A path names a field by its keys from the payload's root, dot-separated
     * ({@code customer.email}); where it meets an array it applies to each element ({@code items.note}).
     *
     * @param topic        event topics; {@code *} stands for any run of characters
     * @param drop         fields removed
     * @param mask         fields replaced by {@code ***}, with the last {@code maskKeepLast} characters kept
     * @param maskKeepLast characters kept at the end of a masked value (0: none); a value not longer than
     *                     twice this is masked whole
     * @param tokenise     fields replaced by the hex HMAC-SHA256 of their text under {@code outbox.privacy.token.key}
     */
    public record Rule(String topic,
                       @DefaultValue List<String> drop,
                       @DefaultValue List<String> mask,
                       @DefaultValue("0") int maskKeepLast,
                       @DefaultValue List<String> tokenise) {

        public Rule {
            drop = drop == null ? List.of() : List.copyOf(drop);
            mask = mask == null ? List.of() : List.copyOf(mask);
            tokenise = tokenise == null ? List.of() : List.copyOf(tokenise);
        }

        void check(String setting) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException(setting + ".topic is required");
            }
            if (drop.isEmpty() && mask.isEmpty() && tokenise.isEmpty()) {
                throw new IllegalArgumentException(setting + " names no field to drop, mask or tokenise");
            }
            if (maskKeepLast < 0) {
                throw new IllegalArgumentException(setting + ".mask-keep-last must be 0 or more, was " + maskKeepLast);
            }
            checkPaths(setting + ".drop", drop);
            checkPaths(setting + ".mask", mask);
            checkPaths(setting + ".tokenise", tokenise);
        }

        private static void checkPaths(String setting, List<String> paths) {
            for (int i = 0; i < paths.size(); i++) {
                String path = paths.get(i);
                if (path == null || !PATH.matcher(path).matches()) {
                    throw new IllegalArgumentException(setting + "[" + i + "] '" + path
                            + "' is not a field path: keys separated by '.', e.g. customer.email");
                }
            }
        }
    }
}
