package dev.outboxrelay.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

/**
 * What the scenarios share: the settings, the servers, where the systems' classpaths are and where
 * each run keeps its logs ({@code target/benchmark/runs/<scenario>-<system>/}).
 */
final class Bench {

    private static final String RELAY_MAIN = "dev.outboxrelay.OutboxRelayApplication";

    private final Settings settings;
    private final BenchServers servers;
    private final Path root;
    private final Path runs;
    /** The class-data sharing archive of each relay classpath, written by this run's first start on it. */
    private final Map<String, Path> archives = new HashMap<>();
    /** Jars written by this run: a jar rewritten after its archive was made would make the archive unusable. */
    private final Set<Path> jars = new HashSet<>();

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

    /**
     * The relay as it ships: its classes in a jar (class-data sharing archives only classes from jars)
     * and its runtime dependencies, nothing of the tests.
     */
    String relayClasspath() throws IOException {
        Path dependencies = root.resolve("target/benchmark/relay-classpath.txt");
        if (!Files.exists(dependencies)) {
            throw new IllegalStateException(dependencies + " is missing: run through ./mvnw -Pbenchmark test-compile exec:exec");
        }
        return jar(root.resolve("target/classes"), "outbox-relay.jar") + java.io.File.pathSeparator
                + Files.readString(dependencies).strip();
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
        return relayClasspath() + java.io.File.pathSeparator + jar(copy, "benchmark-work.jar");
    }

    /** A jar of a classes folder in target/benchmark/jars, written once per run. */
    private Path jar(Path classes, String name) throws IOException {
        Path jar = root.resolve("target/benchmark/jars").resolve(name);
        if (jars.add(jar)) {
            Files.createDirectories(jar.getParent());
            Files.deleteIfExists(jar);
            ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow(() -> new IllegalStateException("no jar tool in this JDK"));
            if (tool.run(System.out, System.err, "--create", "--file", jar.toString(), "-C", classes.toString(), ".") != 0) {
                throw new IllegalStateException("could not write " + jar);
            }
        }
        return jar;
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

    /**
     * Starts the relay as the README's start-up section deploys it: with a class-data sharing archive of
     * its classpath (unless -Dbenchmark.cds=false). The first start on a classpath first runs the
     * training run that writes the archive: the same command, stopped once the application context is
     * refreshed; its time is not the start-up time.
     */
    SystemProcess launchRelay(String scenario, String system, String classpath, List<String> arguments)
            throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(settings.systemJvm());
        if (settings.cds()) {
            jvm.add("-XX:SharedArchiveFile=" + archive(scenario, system, classpath, arguments));
        }
        return SystemProcess.launch(system, runDir(scenario, system), jvm, classpath, RELAY_MAIN, arguments,
                line -> line.contains("Started OutboxRelayApplication in"), Duration.ofSeconds(120));
    }

    private Path archive(String scenario, String system, String classpath, List<String> arguments)
            throws IOException, InterruptedException {
        Path archive = archives.get(classpath);
        if (archive != null) {
            return archive;
        }
        archive = root.resolve("target/benchmark/cds").resolve("relay-" + (archives.size() + 1) + ".jsa");
        Files.createDirectories(archive.getParent());
        Files.deleteIfExists(archive);
        Path log = runDir(scenario, system).resolve("cds-training.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the measured run's options, less recordings and logs that belong to it
        settings.systemJvm().stream().filter(option -> !option.startsWith("-XX:StartFlightRecording")
                && !option.startsWith("-Xlog")).forEach(command::add);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh", "-cp", classpath,
                RELAY_MAIN));
        command.addAll(arguments);
        long started = System.nanoTime();
        Process training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!training.waitFor(180, TimeUnit.SECONDS)) {
            training.destroyForcibly();
            throw new IllegalStateException("the CDS training run did not end within 180 s; see " + log);
        }
        if (training.exitValue() != 0 || !Files.exists(archive)) {
            throw new IllegalStateException("the CDS training run exited with " + training.exitValue() + " and wrote "
                    + (Files.exists(archive) ? "" : "no ") + "archive; see " + log);
        }
        Benchmarks.log(String.format(java.util.Locale.ROOT, "CDS archive %s written by a training run of %.1f s",
                root.relativize(archive), (System.nanoTime() - started) / 1e9));
        archives.put(classpath, archive);
        return archive;
    }
}
