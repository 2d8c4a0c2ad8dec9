package dev.outboxrelay.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Entry point of {@code ./mvnw -Pbenchmark test-compile exec:exec}: starts the servers, builds the
 * peers, runs each chosen scenario for each chosen system in turn (each system in a JVM of its own),
 * prints the table and writes it to {@code benchmark-results/<date-time>.md} and
 * {@code benchmark-results/latest.md}. Choose with {@code -Dbenchmark.scenarios=drain,steady,pipeline,jobs}
 * and {@code -Dbenchmark.systems=ours,debezium,modulith,naive-poller,db-scheduler}.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromSystemProperties();
        Path root = Path.of("").toAbsolutePath();
        Path runs = root.resolve("target/benchmark/runs");
        // logs, GC logs and Debezium's offsets of an earlier run must not leak into this one
        if (Files.exists(runs)) {
            try (java.util.stream.Stream<Path> old = Files.walk(runs)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        String load = Machine.load();
        log("scenarios " + settings.scenarios() + ", systems " + settings.systems() + "; " + load);

        List<RelaySystem> relays = new ArrayList<>();
        for (String name : settings.systems()) {
            switch (name) {
                case "ours" -> relays.add(new Ours());
                case "debezium" -> relays.add(new Peers.Debezium());
                case "modulith" -> relays.add(new Peers.Modulith());
                case "naive-poller" -> relays.add(new Peers.NaivePoller());
                default -> { }
            }
        }
        List<JobQueueSystem> jobQueues = new ArrayList<>();
        if (settings.includes("ours")) {
            jobQueues.add(new OursJobQueue());
        }
        if (settings.includes("db-scheduler")) {
            jobQueues.add(new DbScheduler());
        }
        List<Scenario> scenarios = new ArrayList<>();
        for (String name : settings.scenarios()) {
            switch (name) {
                case "drain" -> scenarios.add(new DrainScenario(relays));
                case "steady" -> scenarios.add(new SteadyScenario(relays));
                case "pipeline" -> scenarios.add(new PipelineScenario(relays));
                case "jobs" -> scenarios.add(new JobQueueScenario(jobQueues));
                default -> throw new IllegalArgumentException("unknown scenario " + name);
            }
        }

        List<String> peers = new ArrayList<>();
        boolean relayScenarios = settings.scenarios().stream().anyMatch(s -> !s.equals("jobs"));
        if (relayScenarios) {
            relays.stream().map(RelaySystem::peerModule).filter(Objects::nonNull).forEach(peers::add);
        }
        if (settings.runs("jobs")) {
            jobQueues.stream().map(JobQueueSystem::peerModule).filter(Objects::nonNull).forEach(peers::add);
        }

        List<Row> rows = new ArrayList<>();
        long started = System.nanoTime();
        try (BenchServers servers = BenchServers.start(root.resolve("target/benchmark"))) {
            Bench bench = new Bench(settings, servers, root, runs);
            bench.buildPeers(peers);
            log("servers: " + servers.describe());
            for (Scenario scenario : scenarios) {
                rows.addAll(scenario.run(bench));
            }
            String table = Report.table(rows);
            String header = String.format(Locale.ROOT, "Measured %s on %s.%nServers: %s.%nLoad: %s at the start, %s at the end; "
                            + "the run took %.0f min. Settings: %s.%n%n",
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), Machine.describe(),
                    servers.describe(), load, Machine.load(), (System.nanoTime() - started) / 60e9, settings.describe());
            System.out.println();
            System.out.println(header + table);
            Path results = root.resolve("benchmark-results");
            Files.createDirectories(results);
            Path file = results.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")) + ".md");
            Files.writeString(file, header + table);
            Files.writeString(results.resolve("latest.md"), header + table);
            log("written to " + file);
        }
        System.exit(0);
    }

    static void log(String text) {
        System.out.println("[benchmark] " + text);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
