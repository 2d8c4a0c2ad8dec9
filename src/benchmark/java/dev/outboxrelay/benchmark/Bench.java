package dev.outboxrelay.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the scenarios share: the settings, the servers, where the systems' classpaths are and where
 * each run keeps its logs ({@code target/benchmark/runs/<scenario>-<system>/}).
 */
final class Bench {

    private final Settings settings;
    private final BenchServers servers;
    private final Path root;
    private final Path runs;

    Bench(Settings settings, BenchServers servers, Path root, Path runs) {
        this.settings = settings;
        this.servers = servers;
        this.root = root;
        this.runs = runs;
    }

    Settings settings() {
        return settings;
    }

    BenchServers servers() {
        return servers;
    }

    Path runDir(String scenario, String system) {
        return runs.resolve(scenario + "-" + system);
    }

    /** A fresh, migrated database for one system in one scenario. */
    BenchDatabase database(String scenario, String system) throws Exception {
        return servers.createDatabase(("bench_" + scenario + "_" + system).replaceAll("[^a-z0-9_]", "_")).migrate();
    }

    /** The relay as it ships: its compiled classes and its runtime dependencies, nothing of the tests. */
    String relayClasspath() throws IOException {
        Path dependencies = root.resolve("target/benchmark/relay-classpath.txt");
        if (!Files.exists(dependencies)) {
            throw new IllegalStateException(dependencies + " is missing: run through ./mvnw -Pbenchmark test-compile exec:exec");
        }
        return root.resolve("target/classes") + java.io.File.pathSeparator + Files.readString(dependencies).strip();
    }

    /**
     * The relay plus the benchmark's no-op handlers ({@code dev.outboxrelay.benchmark.work}), copied on
     * their own so that nothing else of the benchmark or the tests reaches the relay's classpath.
     */
    String relayWithWorkClasspath() throws IOException {
        Path source = root.resolve("target/test-classes/dev/outboxrelay/benchmark/work");
        Path copy = root.resolve("target/benchmark/work-classes");
        Path into = copy.resolve("dev/outboxrelay/benchmark/work");
        Files.createDirectories(into);
        try (var classes = Files.list(source)) {
            for (Path file : classes.toList()) {
                Files.copy(file, into.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return relayClasspath() + java.io.File.pathSeparator + copy;
    }

    /** A peer module's classes and its own runtime classpath (benchmark/peers/<module>). */
    String peerClasspath(String module) throws IOException {
        Path target = root.resolve("benchmark/peers").resolve(module).resolve("target");
        return target.resolve("classes") + java.io.File.pathSeparator + Files.readString(target.resolve("classpath.txt")).strip();
    }

    /** Builds the peer modules with their own dependency trees: ./mvnw -f benchmark/peers/pom.xml -pl ... -am package. */
    void buildPeers(List<String> modules) throws IOException, InterruptedException {
        if (modules.isEmpty()) {
            return;
        }
        Benchmarks.log("building peers " + modules + " (benchmark/peers)");
        List<String> command = new ArrayList<>(List.of(root.resolve("mvnw").toString(), "-q", "-B", "-f",
                root.resolve("benchmark/peers/pom.xml").toString(), "-pl", String.join(",", modules), "-am", "package"));
        Process build = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
        if (build.waitFor() != 0) {
            throw new IllegalStateException("building the peers failed: " + String.join(" ", command));
        }
    }

    /** Starts a peer's main class with {@code -Dbench.*} settings; ready when it prints READY. */
    SystemProcess launchPeer(String scenario, String system, String module, String mainClass,
                             Map<String, String> properties) throws IOException {
        Path dir = runDir(scenario, system);
        List<String> jvm = new ArrayList<>(settings.systemJvm());
        jvm.add("-Dbench.work-dir=" + dir);
        properties.forEach((key, value) -> jvm.add("-D" + key + "=" + value));
        return SystemProcess.launch(system, dir, jvm, peerClasspath(module), mainClass, List.of(),
                "READY"::equals, Duration.ofSeconds(120));
    }

    SystemProcess launch(String scenario, String system, String classpath, String mainClass, List<String> arguments,
                         Predicate<String> readyLine) throws IOException {
        return SystemProcess.launch(system, runDir(scenario, system), settings.systemJvm(), classpath, mainClass,
                arguments, readyLine, Duration.ofSeconds(120));
    }
}
