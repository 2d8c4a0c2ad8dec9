package dev.outboxrelay.completion;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which completions a subscriber wants: any of the given topics (a {@code *} stands for any run of
 * characters), any of the given work ids, any of the given kinds. An empty list places no condition.
 */
public record CompletionFilter(List<String> topics, Set<String> ids, Set<String> kinds) {

    private static final Pattern TOPIC_PATTERN = Pattern.compile("[A-Za-z0-9._*-]{1,200}");

    public CompletionFilter {
        topics = topics == null ? List.of() : List.copyOf(topics);
        ids = ids == null ? Set.of() : Set.copyOf(ids);
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        for (String topic : topics) {
            if (!TOPIC_PATTERN.matcher(topic).matches()) {
                throw new IllegalArgumentException("topic '" + topic
                        + "' may only hold letters, digits, '.', '_', '-' and '*'");
            }
        }
        for (String kind : kinds) {
            if (!WorkCompleted.EVENT.equals(kind) && !WorkCompleted.JOB.equals(kind)) {
                throw new IllegalArgumentException("kind '" + kind + "' is neither 'event' nor 'job'");
            }
        }
    }

    /** Everything. */
    public static CompletionFilter all() {
        return new CompletionFilter(List.of(), Set.of(), Set.of());
    }

    public boolean matches(Completion completion) {
        return (ids.isEmpty() || ids.contains(completion.id()))
                && (kinds.isEmpty() || kinds.contains(completion.kind()))
                && (topics.isEmpty() || topics.stream().anyMatch(topic -> topicMatches(topic, completion.topic())));
    }

    /** Whether {@code topic} matches {@code pattern}, where {@code *} stands for any run of characters. */
    public static boolean topicMatches(String pattern, String topic) {
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(topic);
        }
        String[] parts = pattern.split("\\*", -1);
        if (!topic.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = topic.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return topic.length() - at >= last.length() && topic.endsWith(last);
    }
}
