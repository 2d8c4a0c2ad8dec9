package dev.outboxrelay.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A system under test in a JVM of its own, so that its CPU time, peak RSS and heap are its own and
 * not the harness's. Standard output goes to {@code stdout.log} in its work folder and is watched for
 * the ready line and the answers of the control protocol; standard error to {@code stderr.log}; the
 * JVM writes its GC log to {@code gc.log}.
 */
final class SystemProcess implements AutoCloseable {

    /** What one phase cost the process. */
    record Usage(double cpuSeconds, double dbCpuSeconds, double peakHeapMiB, double peakRssMiB) {
    }

    /** Readings at the start of a phase. */
    final class Phase {
        private final long cpuTicks = Proc.cpuTicks(pid());
        private final long dbTicks;
        private final long gcOffset = Heap.logSize(gcLog);

        private Phase(long postmaster) {
            Proc.resetPeakRss(pid());
            this.dbTicks = Proc.serverCpuTicks(postmaster);
        }

        Usage end(long postmaster) {
            return new Usage((Proc.cpuTicks(pid()) - cpuTicks) / Proc.TICKS_PER_SECOND,
                    (Proc.serverCpuTicks(postmaster) - dbTicks) / Proc.TICKS_PER_SECOND,
                    Heap.peakMiB(gcLog, gcOffset, pid()), Proc.peakRssKiB(pid()) / 1024.0);
        }
    }

    /** A system starts once all cores together are at most this busy (the idle harness's servers use a few percent)... */
    private static final double QUIET_BUSY = 0.2;
    /** ...or after this long, whichever comes first. */
    private static final Duration QUIET_WAIT = Duration.ofSeconds(30);
    /** A protocol answer: a word in capitals, then anything (log lines start otherwise). */
    private static final java.util.regex.Pattern ANSWER = java.util.regex.Pattern.compile("[A-Z]+( .*)?");

    private final String name;
    private final Process process;
    private final Path gcLog;
    private final Path dir;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final PrintWriter commands;
    private volatile double startupSeconds;

    private SystemProcess(String name, Process process, Path dir, Path gcLog) {
        this.name = name;
        this.process = process;
        this.dir = dir;
        this.gcLog = gcLog;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /**
     * Starts {@code mainClass} and waits until a line of its standard output matches {@code readyLine}.
     * The start-up time is from launching the JVM to that line.
     */
    static SystemProcess launch(String name, Path dir, List<String> jvmOptions, String classpath, String mainClass,
                                List<String> arguments, Predicate<String> readyLine, Duration timeout) throws IOException {
        Files.createDirectories(dir);
        Path gcLog = dir.resolve("gc.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Xlog:gc:file=" + gcLog);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(arguments);
        Files.writeString(dir.resolve("command.txt"), String.join(" ", command));
        try {
            Benchmarks.log(name + ": starting; " + Machine.awaitQuiet(QUIET_BUSY, QUIET_WAIT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long launched = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr.log").toFile())
                .start();
        SystemProcess system = new SystemProcess(name, process, dir, gcLog);
        system.watch(launched, readyLine);
        try {
            boolean up = false;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!up && System.nanoTime() < deadline && process.isAlive()) {
                up = system.ready.await(200, TimeUnit.MILLISECONDS);
            }
            if (!up) {
                String why = process.isAlive() ? "not ready within " + timeout.toSeconds() + " s" : "exited with " + process.exitValue();
                system.close();
                throw new SystemFailed(name + " did not start: " + why + system.lastOutput());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return system;
    }

    private void watch(long launched, Predicate<String> readyLine) {
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 OutputStream log = Files.newOutputStream(dir.resolve("stdout.log"), StandardOpenOption.CREATE,
                         StandardOpenOption.APPEND)) {
                String line;
                while ((line = out.readLine()) != null) {
                    log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    if (ready.getCount() > 0 && readyLine.test(line)) {
                        startupSeconds = (System.nanoTime() - launched) / 1e9;
                        ready.countDown();
                    } else if (line.startsWith("ERROR")) {
                        Benchmarks.log(name + ": " + line);
                        answers.add(line);
                    } else if (ANSWER.matcher(line).matches()) {
                        answers.add(line);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    long pid() {
        return process.pid();
    }

    double startupSeconds() {
        return startupSeconds;
    }

    Path dir() {
        return dir;
    }

    Phase startPhase(long postmaster) {
        return new Phase(postmaster);
    }

    /** Sends a command of the peer control protocol and waits for the answer starting with {@code answer}. */
    String command(String line, String answer, Duration timeout) {
        answers.clear();
        commands.println(line);
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String next = answers.poll(200, TimeUnit.MILLISECONDS);
                if (next != null && next.startsWith(answer)) {
                    return next;
                }
                if (next != null && next.startsWith("ERROR")) {
                    throw new SystemFailed(name + " answered " + next + lastOutput());
                }
                if (!process.isAlive()) {
                    throw new SystemFailed(name + " exited with " + process.exitValue() + lastOutput());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new SystemFailed(name + " did not answer " + line + " within " + timeout.toSeconds() + " s" + lastOutput());
    }

    void ensureAlive() {
        if (!process.isAlive()) {
            throw new SystemFailed(name + " exited with " + process.exitValue() + lastOutput());
        }
    }

    /** The last lines of its logs, for an error message. */
    String lastOutput() {
        StringBuilder out = new StringBuilder();
        for (String file : new String[] {"stderr.log", "stdout.log"}) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
                List<String> tail = lines.subList(Math.max(0, lines.size() - 15), lines.size());
                if (!tail.isEmpty()) {
                    out.append("\n  last lines of ").append(dir.resolve(file)).append(":\n    ")
                            .append(String.join("\n    ", tail));
                }
            } catch (IOException e) {
                // no such log
            }
        }
        return out.toString();
    }

    /** Asks the process to stop (standard input closed, then SIGTERM) and kills it if it does not. */
    @Override
    public void close() {
        commands.close();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** A system under test failed to start or to run; the message says why, with its last output. */
    static final class SystemFailed extends RuntimeException {
        SystemFailed(String message) {
            super(message);
        }
    }
}
