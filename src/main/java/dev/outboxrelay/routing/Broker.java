package dev.outboxrelay.routing;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The brokers an event can be relayed to. */
public enum Broker {
    KAFKA,
    SQS,
    RABBITMQ;

    /** The name used in configuration and in message headers: {@code kafka}, {@code sqs}, {@code rabbitmq}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static String configNames() {
        return Arrays.stream(values()).map(Broker::configName).collect(Collectors.joining(", "));
    }
}
