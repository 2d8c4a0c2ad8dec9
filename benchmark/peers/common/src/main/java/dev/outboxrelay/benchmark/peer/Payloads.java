package dev.outboxrelay.benchmark.peer;

import java.nio.charset.StandardCharsets;

/**
 * The benchmark's event: a JSON object of about 300 bytes whose {@code n} field numbers it. Every
 * system carries the payload unchanged (or, for Spring Modulith, serialises an object of that shape),
 * so a consumer finds the number in any message body.
 */
public final class Payloads {

    public static final int FILLER = 220;
    private static final byte[] FIELD = "\"n\"".getBytes(StandardCharsets.US_ASCII);

    private Payloads() {
    }

    public static String aggregate(long n, int aggregates) {
        return "agg-" + (n % aggregates);
    }

    public static String json(long n, int aggregates) {
        return "{\"n\": " + n + ", \"aggregate\": \"" + aggregate(n, aggregates) + "\", \"filler\": \""
                + "x".repeat(FILLER) + "\"}";
    }

    /** The event's number, or -1 when the body has none. */
    public static long number(byte[] body) {
        if (body == null) {
            return -1;
        }
        outer:
        for (int i = 0; i + FIELD.length < body.length; i++) {
            for (int j = 0; j < FIELD.length; j++) {
                if (body[i + j] != FIELD[j]) {
                    continue outer;
                }
            }
            int k = i + FIELD.length;
            while (k < body.length && (body[k] == ':' || body[k] == ' ')) {
                k++;
            }
            long value = 0;
            int digits = 0;
            while (k < body.length && body[k] >= '0' && body[k] <= '9') {
                value = value * 10 + (body[k++] - '0');
                digits++;
            }
            return digits == 0 ? -1 : value;
        }
        return -1;
    }
}
