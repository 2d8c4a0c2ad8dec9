package dev.outboxrelay.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ./mvnw -Pbenchmark test-compile exec:exec}: runs the chosen scenarios
 * ({@code -Dbenchmark.scenarios=drain-kafka,...}, default all) one after the other in this JVM against
 * the same servers, prints a table and writes it to {@code benchmark-results/latest.md}.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("outbox.test.direct", "true");
        List<String> chosen = args.length == 0 || args[0].isBlank() || args[0].equals("all")
                ? List.of("drain-kafka")
                : Arrays.asList(args[0].split(","));
        List<Result> results = new ArrayList<>();
        for (String scenario : chosen) {
            switch (scenario.strip()) {
                case "drain-kafka" -> results.addAll(new DrainBenchmark().run());
                default -> throw new IllegalArgumentException("unknown scenario " + scenario
                        + "; known: drain-kafka");
            }
        }
        String table = Result.table(results);
        System.out.println();
        System.out.println(table);
        Path out = Path.of("benchmark-results", "latest.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, "Measured " + LocalDate.now() + " on " + Machine.describe() + "\n\n" + table);
        System.out.println("Written to " + out.toAbsolutePath());
        System.exit(0);
    }

    static void log(String text) {
        System.out.println("[benchmark] " + text);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
