package dev.outboxrelay.benchmark;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.outboxrelay.benchmark.peer.CommitTimes;

/**
 * (3) Full pipeline: producer transactions flat out ({@code benchmark.producer.threads} connections,
 * {@code benchmark.pipeline.events-per-transaction} events each, default 10) for
 * {@code benchmark.pipeline.seconds} (default 30), the relay, and an idempotent consumer that records
 * each event's key in the same database and runs a no-op handler. events/s is what was handled from
 * the first commit to the last handled event, so a pipeline that cannot keep up with its producers is
 * measured at the rate of its slowest part; latency is commit to handler.
 */
final class PipelineScenario implements Scenario {

    static final String GROUP = "bench-pipeline";

    private final List<RelaySystem> systems;

    PipelineScenario(List<RelaySystem> systems) {
        this.systems = systems;
    }

    @Override
    public String name() {
        return "pipeline";
    }

    @Override
    public List<Row> run(Bench bench) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (RelaySystem system : systems) {
            String unsupported = system.pipelineUnsupported();
            rows.add(unsupported != null ? Row.skipped(label(), system.name(), unsupported) : pipeline(bench, system));
        }
        return rows;
    }

    private static String label() {
        return "(3) pipeline: producers + relay + idempotent consumer (Kafka)";
    }

    private Row pipeline(Bench bench, RelaySystem system) {
        Settings settings = bench.settings();
        String topic = "bench.pipeline." + system.name();
        Benchmarks.log("pipeline: " + system.name());
        try (BenchDatabase database = bench.database("pipeline", system.name())) {
            database.execute("""
                    CREATE TABLE bench_processed (
                        consumer   text        NOT NULL,
                        event_key  text        NOT NULL,
                        handled_at timestamptz NOT NULL,
                        PRIMARY KEY (consumer, event_key))""");
            bench.servers().createTopic(topic);
            try (SystemProcess process = system.start(bench, database, new RelaySystem.Run("pipeline", topic, GROUP))) {
                long postmaster = bench.servers().postmasterPid();
                long timeout = settings.timeoutSeconds() * 1000L;
                int warmUp = settings.warmUp() / 2;
                system.produce(bench, database, process, topic, 0, warmUp, settings.pipelineEventsPerTransaction(), 0, timeout);
                if (!awaitHandled(database, system, warmUp, timeout, process)) {
                    throw new IllegalStateException("warm-up not handled within the timeout");
                }
                SystemProcess.Phase phase = process.startPhase(postmaster);
                CommitTimes commits = system.produce(bench, database, process, topic, warmUp, 1_000_000,
                        settings.pipelineEventsPerTransaction(), 0, settings.pipelineSeconds() * 1000L);
                int written = commits.written();
                boolean complete = awaitHandled(database, system, warmUp + written, timeout, process);
                SystemProcess.Usage usage = phase.end(postmaster);
                long[] handled = handledMicros(database, system, commits);
                long last = 0;
                int count = 0;
                for (long micros : handled) {
                    if (micros != 0) {
                        last = Math.max(last, micros);
                        count++;
                    }
                }
                long start = SteadyScenario.firstCommit(commits);
                double producerSeconds = (SteadyScenario.lastCommit(commits) - start) / 1e6;
                String note = String.format(Locale.ROOT, "%s; producers wrote %,.0f/s (%d connections × %d events/tx)%s",
                        system.note(), written / producerSeconds, settings.producerThreads(),
                        settings.pipelineEventsPerTransaction(), complete ? "" : "; INCOMPLETE: timed out");
                return new Row(label(), system.name(), count, (last - start) / 1e6, Latencies.of(commits.micros(), handled),
                        usage, process.startupSeconds(), note, null);
            }
        } catch (Exception e) {
            Benchmarks.log(system.name() + " failed: " + e.getMessage());
            return Row.skipped(label(), system.name(), Scenario.why(e));
        }
    }

    /**
     * Waits until {@code total} events (warm-up included) were handled. Each event is recorded once, so
     * a plain count says it; the count leaves the rows' columns unread (working out each row's event
     * number on every poll cost the database a core by the end of a run), and it runs four times a
     * second: the figures come from the recorded times, not from when this notices.
     */
    private static boolean awaitHandled(BenchDatabase database, RelaySystem system, long total, long timeoutMillis,
                                        SystemProcess process) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        String sql = "SELECT count(*) FROM (" + system.handledSql(GROUP) + ") AS handled";
        while (database.count(sql) < total) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            process.ensureAlive();
            Benchmarks.sleep(250);
        }
        return true;
    }

    /** When each event of the measured phase was handled, aligned with its commit time (0: not handled). */
    private static long[] handledMicros(BenchDatabase database, RelaySystem system, CommitTimes commits) throws Exception {
        long[] handled = new long[commits.micros().length];
        try (Connection connection = database.connect();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(system.handledSql(GROUP))) {
            while (rows.next()) {
                long index = rows.getLong(1) - commits.first();
                if (index >= 0 && index < handled.length) {
                    handled[(int) index] = rows.getLong(2);
                }
            }
        }
        return handled;
    }
}
