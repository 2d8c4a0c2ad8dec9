package dev.outboxrelay.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.outboxrelay.benchmark.peer.Micros;

/**
 * (4) Job queue: {@code benchmark.jobs} no-op jobs (default 100,000) enqueued in one transaction while
 * the system runs with {@code benchmark.jobs.workers} workers (default 2), after a warm-up batch;
 * measured from that commit until no job is left.
 */
final class JobQueueScenario implements Scenario {

    private final List<JobQueueSystem> systems;

    JobQueueScenario(List<JobQueueSystem> systems) {
        this.systems = systems;
    }

    @Override
    public String name() {
        return "jobs";
    }

    @Override
    public List<Row> run(Bench bench) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (JobQueueSystem system : systems) {
            String unsupported = system.unsupported();
            rows.add(unsupported != null ? Row.skipped(label(bench), system.name(), unsupported) : jobs(bench, system));
        }
        return rows;
    }

    private static String label(Bench bench) {
        return String.format(Locale.ROOT, "(4) job queue: %,dk no-op jobs, %d workers", bench.settings().jobs() / 1000,
                bench.settings().jobWorkers());
    }

    private Row jobs(Bench bench, JobQueueSystem system) {
        Settings settings = bench.settings();
        Benchmarks.log("job queue: " + system.name());
        try (BenchDatabase database = bench.database("jobs", system.name())) {
            system.prepare(database);
            try (SystemProcess process = system.start(bench, database, settings.jobWorkers())) {
                long postmaster = bench.servers().postmasterPid();
                long timeout = settings.timeoutSeconds() * 1000L;
                system.enqueue(database, 0, settings.warmUp() / 2, () -> { });
                if (!awaitEmpty(database, system, timeout, process)) {
                    throw new IllegalStateException("warm-up jobs not run within the timeout");
                }
                SystemProcess.Phase[] phase = new SystemProcess.Phase[1];
                long start = system.enqueue(database, settings.warmUp(), settings.jobs(),
                        () -> phase[0] = process.startPhase(postmaster));
                boolean complete = awaitEmpty(database, system, timeout, process);
                long end = Micros.now();
                SystemProcess.Usage usage = phase[0].end(postmaster);
                long done = settings.jobs() - system.remaining(database);
                return new Row(label(bench), system.name(), done, (end - start) / 1e6, null, usage,
                        process.startupSeconds(), system.note() + (complete ? "" : "; INCOMPLETE: timed out"), null);
            }
        } catch (Exception e) {
            Benchmarks.log(system.name() + " failed: " + e.getMessage());
            return Row.skipped(label(bench), system.name(), Scenario.why(e));
        }
    }

    private static boolean awaitEmpty(BenchDatabase database, JobQueueSystem system, long timeoutMillis,
                                      SystemProcess process) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (system.remaining(database) > 0) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            process.ensureAlive();
            Benchmarks.sleep(50);
        }
        return true;
    }
}
