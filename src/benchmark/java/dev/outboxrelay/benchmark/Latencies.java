package dev.outboxrelay.benchmark;

import java.util.Arrays;

/** Percentiles of end-to-end latency, in milliseconds. */
record Latencies(double p50, double p95, double p99, int samples) {

    /** From commit and arrival times (microseconds) of the same events; events that never arrived are left out. */
    static Latencies of(long[] commitMicros, long[] arrivalMicros) {
        double[] millis = new double[commitMicros.length];
        int samples = 0;
        for (int i = 0; i < commitMicros.length; i++) {
            if (commitMicros[i] != 0 && arrivalMicros[i] != 0) {
                millis[samples++] = (arrivalMicros[i] - commitMicros[i]) / 1000.0;
            }
        }
        if (samples == 0) {
            return null;
        }
        double[] sorted = Arrays.copyOf(millis, samples);
        Arrays.sort(sorted);
        return new Latencies(at(sorted, 0.50), at(sorted, 0.95), at(sorted, 0.99), samples);
    }

    private static double at(double[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
