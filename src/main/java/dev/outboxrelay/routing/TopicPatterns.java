package dev.outboxrelay.routing;

import java.util.regex.Pattern;

/** Topic patterns as the configuration writes them: {@code *} stands for any run of characters. */
public final class TopicPatterns {

    private TopicPatterns() {
    }

    public static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
