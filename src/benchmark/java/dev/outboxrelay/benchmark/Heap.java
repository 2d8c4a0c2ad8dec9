package dev.outboxrelay.benchmark;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Peak heap use of a system under test, from its own GC log ({@code -Xlog:gc}): the largest heap
 * occupancy before a collection in the lines written during a phase, and the occupancy at the end of
 * the phase as {@code jcmd GC.heap_info} reports it (whichever is larger).
 */
final class Heap {

    private static final Pattern BEFORE = Pattern.compile("(\\d+)([KMG])->\\d+[KMG]\\(");
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private Heap() {
    }

    static long logSize(Path gcLog) {
        return gcLog.toFile().length();
    }

    static double peakMiB(Path gcLog, long fromOffset, long pid) {
        double peak = 0;
        try (RandomAccessFile file = new RandomAccessFile(gcLog.toFile(), "r")) {
            file.seek(Math.min(fromOffset, file.length()));
            byte[] rest = new byte[(int) (file.length() - file.getFilePointer())];
            file.readFully(rest);
            Matcher matcher = BEFORE.matcher(new String(rest, StandardCharsets.US_ASCII));
            while (matcher.find()) {
                peak = Math.max(peak, toMiB(Long.parseLong(matcher.group(1)), matcher.group(2)));
            }
        } catch (IOException e) {
            // no log: only jcmd's reading
        }
        return Math.max(peak, currentMiB(pid));
    }

    private static double currentMiB(long pid) {
        try {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            Matcher matcher = USED.matcher(out);
            return matcher.find() ? Long.parseLong(matcher.group(1)) / 1024.0 : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static double toMiB(long value, String unit) {
        return switch (unit) {
            case "K" -> value / 1024.0;
            case "G" -> value * 1024.0;
            default -> value;
        };
    }
}
