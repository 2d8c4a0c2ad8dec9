package dev.outboxrelay.benchmark;

import java.util.List;
import java.util.Locale;

/**
 * One measured figure set.
 *
 * @param scenario  what was measured
 * @param system    which implementation
 * @param events    events handled
 * @param seconds   wall time
 * @param note      settings worth knowing
 */
record Result(String scenario, String system, long events, double seconds, String note) {

    double perSecond() {
        return events / seconds;
    }

    static String table(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("| scenario | system | events | seconds | events/s | notes |\n");
        out.append("|---|---|---:|---:|---:|---|\n");
        for (Result result : results) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.2f | %,.0f | %s |%n", result.scenario(),
                    result.system(), result.events(), result.seconds(), result.perSecond(), result.note()));
        }
        return out.toString();
    }
}
