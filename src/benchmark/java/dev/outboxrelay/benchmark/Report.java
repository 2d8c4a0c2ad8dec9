package dev.outboxrelay.benchmark;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The results as a markdown table: each row's events/s as a ratio to ours in the same scenario
 * (× ours), and its p99 latency and CPU per 100k events with their ratio to ours in brackets.
 */
final class Report {

    private Report() {
    }

    static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append("| scenario | system | events/s | × ours | p50 / p95 / p99 ms | CPU s per 100k | DB CPU s per 100k "
                + "| peak heap MiB | peak RSS MiB | start-up s | notes |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows) {
            if (row.skipped() != null) {
                out.append(String.format(Locale.ROOT, "| %s | %s | – | – | – | – | – | – | – | – | not run: %s |%n",
                        row.scenario(), row.system(), row.skipped().replace("|", "/").replace("\n", " ")));
                continue;
            }
            if (row.events() == 0) {
                // nothing handled: no rate, latency or cost per event to show
                out.append(String.format(Locale.ROOT, "| %s | %s | 0 | – | – | – | – | %.0f | %.0f | %.1f | none handled%s |%n",
                        row.scenario(), row.system(), row.usage().peakHeapMiB(), row.usage().peakRssMiB(),
                        row.startupSeconds(), row.note().isEmpty() ? "" : "; " + row.note()));
                continue;
            }
            Optional<Row> ours = rows.stream()
                    .filter(other -> other.scenario().equals(row.scenario()) && other.system().equals("ours")
                            && other.skipped() == null)
                    .findFirst();
            String ratio = ours.map(o -> String.format(Locale.ROOT, "%.2f", row.perSecond() / o.perSecond())).orElse("–");
            Latencies latencies = row.latencies();
            String latency = latencies == null ? "–" : String.format(Locale.ROOT, "%s / %s / %s%s",
                    millis(latencies.p50()), millis(latencies.p95()), millis(latencies.p99()),
                    ours.filter(o -> o != row && o.latencies() != null)
                            .map(o -> String.format(Locale.ROOT, " (%.2f×)", latencies.p99() / o.latencies().p99())).orElse(""));
            String cpu = String.format(Locale.ROOT, "%.2f%s", row.cpuPer100k(), ours.filter(o -> o != row)
                    .map(o -> String.format(Locale.ROOT, " (%.2f×)", row.cpuPer100k() / o.cpuPer100k())).orElse(""));
            out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %s | %s | %.2f | %.0f | %.0f | %.1f | %s |%n",
                    row.scenario(), row.system(), row.perSecond(), ratio, latency, cpu, row.dbCpuPer100k(),
                    row.usage().peakHeapMiB(), row.usage().peakRssMiB(), row.startupSeconds(),
                    String.format(Locale.ROOT, "%,d in %.1f s", row.events(), row.seconds())
                            + (row.note().isEmpty() ? "" : "; " + row.note())));
        }
        return out.toString();
    }

    private static String millis(double value) {
        return value < 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%,.0f", value);
    }
}
