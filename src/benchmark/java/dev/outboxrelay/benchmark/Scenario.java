package dev.outboxrelay.benchmark;

import java.util.List;

/** One scenario of the benchmark, run for each chosen system in turn. */
interface Scenario {

    String name();

    List<Row> run(Bench bench) throws Exception;

    /** A system that failed in a scenario gets a row saying why (first line, and where its logs are). */
    static String why(Exception failure) {
        String message = String.valueOf(failure.getMessage());
        return failure.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("")
                + (message.contains("last lines of") ? " (" + message.lines().filter(l -> l.contains("last lines of"))
                        .findFirst().orElse("").strip() + ")" : "");
    }
}
