package dev.outboxrelay.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FaultNode} in a JVM of its own, started from the test classpath. Its output goes to
 * {@code <name>.log} in the suite's folder; {@link #kill()} is SIGKILL.
 */
final class NodeProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final CountDownLatch ready = new CountDownLatch(1);

    private NodeProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Launches a node with the given settings, without waiting for it. */
    static NodeProcess launch(String name, Map<String, Object> settings, Path folder) throws IOException {
        Files.createDirectories(folder);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // small and quick to start: four of these share the machine with the suite
        command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        // under Surefire this is its manifest-only jar, whose Class-Path names the whole test classpath
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FaultNode.class.getName());
        settings.forEach((key, value) -> command.add("--" + key + "=" + value));
        Path log = folder.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        NodeProcess node = new NodeProcess(name, process, log);
        node.copyOutput();
        return node;
    }

    private void copyOutput() {
        Thread copier = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                String line;
                while ((line = out.readLine()) != null) {
                    file.println(line);
                    if (line.equals(FaultNode.READY)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "fault-node-" + name);
        copier.setDaemon(true);
        copier.start();
    }

    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(200, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " during start-up; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " not started within " + timeout + "; see " + log);
            }
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful stop; open transactions and leases are left as they are. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
