package dev.outboxrelay.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Readings from Linux's /proc: CPU time and peak resident memory of a process, and the CPU time of a
 * PostgreSQL server's processes (the postmaster's own, its live children's, and what exited children
 * left in the postmaster's cumulative counters).
 */
final class Proc {

    /** USER_HZ: /proc reports CPU time in these ticks (100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    private Proc() {
    }

    /** utime + stime of the process, in ticks. */
    static long cpuTicks(long pid) {
        String[] fields = statFields(pid);
        return fields == null ? 0 : Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The process's peak resident set (VmHWM) in KiB, since start or the last {@link #resetPeakRss}. */
    static long peakRssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return 0;
    }

    /** Resets VmHWM to the current RSS (writing 5 to clear_refs, Linux 4.0 and later), so a phase's peak is its own. */
    static void resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
        } catch (IOException e) {
            // not permitted here: the peak then covers the process's whole life, which the report says
        }
    }

    /** CPU ticks of a server whose postmaster is {@code postmaster}: its own, its children's and its reaped children's. */
    static long serverCpuTicks(long postmaster) {
        String[] own = statFields(postmaster);
        if (own == null) {
            return 0;
        }
        long ticks = Long.parseLong(own[11]) + Long.parseLong(own[12]) + Long.parseLong(own[13]) + Long.parseLong(own[14]);
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                String name = process.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] fields = statFields(Long.parseLong(name));
                if (fields != null && Long.parseLong(fields[1]) == postmaster) {
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return ticks;
    }

    /** The fields of /proc/pid/stat after the command name: [0] = state, [1] = ppid, [11] = utime, [12] = stime, [13] = cutime, [14] = cstime. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
