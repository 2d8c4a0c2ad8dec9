package dev.outboxrelay.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** A one-line description of the machine and its load, for the results file. */
final class Machine {

    private Machine() {
    }

    static String describe() {
        String cpu = "unknown CPU";
        long memoryKiB = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .findFirst().orElse(cpu);
            memoryKiB = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(line -> line.startsWith("MemTotal:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(0);
        } catch (IOException e) {
            // not Linux; keep the defaults
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memoryKiB / (1024 * 1024)
                + " GiB, Java " + System.getProperty("java.version");
    }

    /** The 1, 5 and 15 minute load averages. */
    static String load() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    /** How busy all cores were over the last sample, and how long {@link #awaitQuiet} waited for that. */
    record Quiet(double busy, double waitedSeconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "cores %.0f%% busy after %.1f s", busy * 100, waitedSeconds);
        }
    }

    /**
     * Waits until all cores together were at most {@code busyLimit} busy over half a second, or
     * {@code max} passed: whatever ran before (the previous system's shutdown, the database server's
     * own work, the harness's servers) settles first, so a start-up time measures the system starting.
     */
    static Quiet awaitQuiet(double busyLimit, Duration max) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + max.toNanos();
        long[] before = cpuTimes();
        double busy;
        do {
            Thread.sleep(500);
            long[] after = cpuTimes();
            long total = after[0] - before[0];
            busy = total <= 0 ? 0 : 1 - (double) (after[1] - before[1]) / total;
            before = after;
        } while (busy > busyLimit && System.nanoTime() < deadline);
        return new Quiet(busy, (System.nanoTime() - started) / 1e9);
    }

    /** All and idle (with I/O wait) clock ticks of all cores since boot, from /proc/stat; zeros elsewhere. */
    private static long[] cpuTimes() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest time is already inside user)
            for (int i = 1; i <= 8 && i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            return new long[] {total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
