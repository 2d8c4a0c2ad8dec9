package dev.outboxrelay.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text scrape, read back: the samples of a metric whose labels include the ones asked for. */
record MetricsScrape(String text) {

    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The sum of the matching samples; fails when there is none. */
    double sum(String metric, String... labels) {
        List<Double> values = values(metric, labels);
        if (values.isEmpty()) {
            throw new AssertionError("no sample of " + metric + " with " + String.join(",", labels) + " in the scrape:\n"
                    + text.lines().filter(line -> line.startsWith(metric)).limit(20).reduce("", (a, b) -> a + b + "\n"));
        }
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The one matching sample. */
    double value(String metric, String... labels) {
        List<Double> values = values(metric, labels);
        if (values.size() != 1) {
            throw new AssertionError(values.size() + " samples of " + metric + " with " + String.join(",", labels));
        }
        return values.get(0);
    }

    /**
     * A quantile as Prometheus's histogram_quantile would bound it: the upper bound ({@code le}) of the
     * first bucket holding that share of the matching series' observations (summed over them).
     */
    double bucketQuantile(String metric, double quantile, String... labels) {
        return quantileOf(buckets(metric, labels), quantile, metric, labels);
    }

    /**
     * The same over the observations made since an earlier scrape: a histogram counts from the start
     * of the JVM, and what other tests recorded before (delayed events, outages) must not count.
     */
    double bucketQuantileSince(MetricsScrape earlier, String metric, double quantile, String... labels) {
        TreeMap<Double, Double> buckets = buckets(metric, labels);
        earlier.buckets(metric, labels).forEach((bound, count) -> buckets.merge(bound, -count, Double::sum));
        return quantileOf(buckets, quantile, metric, labels);
    }

    private static double quantileOf(TreeMap<Double, Double> buckets, double quantile, String metric, String... labels) {
        if (buckets.isEmpty() || buckets.lastEntry().getValue() <= 0) {
            throw new AssertionError("no observations of " + metric + " with " + String.join(",", labels));
        }
        double total = buckets.lastEntry().getValue();
        return buckets.entrySet().stream().filter(bucket -> bucket.getValue() >= quantile * total).findFirst()
                .orElseThrow().getKey();
    }

    private TreeMap<Double, Double> buckets(String metric, String... labels) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Matcher sample = SAMPLE.matcher(text);
        Map<String, String> wanted = wanted(labels);
        while (sample.find()) {
            if (!sample.group(1).equals(metric + "_bucket")) {
                continue;
            }
            Map<String, String> found = labels(sample.group(2));
            if (found.entrySet().containsAll(wanted.entrySet())) {
                String le = found.get("le");
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                buckets.merge(bound, Double.parseDouble(sample.group(3)), Double::sum);
            }
        }
        return buckets;
    }

    boolean has(String metric, String... labels) {
        return !values(metric, labels).isEmpty();
    }

    /** Samples of a metric whose labels include the given name=value pairs. */
    List<Double> values(String metric, String... labels) {
        Map<String, String> wanted = wanted(labels);
        List<Double> values = new ArrayList<>();
        Matcher sample = SAMPLE.matcher(text);
        while (sample.find()) {
            if (sample.group(1).equals(metric) && labels(sample.group(2)).entrySet().containsAll(wanted.entrySet())) {
                values.add(Double.parseDouble(sample.group(3)));
            }
        }
        return values;
    }

    private static Map<String, String> wanted(String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (String label : labels) {
            int equals = label.indexOf('=');
            wanted.put(label.substring(0, equals), label.substring(equals + 1));
        }
        return wanted;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher label = LABEL.matcher(text);
        while (label.find()) {
            found.put(label.group(1), label.group(2));
        }
        return found;
    }
}
