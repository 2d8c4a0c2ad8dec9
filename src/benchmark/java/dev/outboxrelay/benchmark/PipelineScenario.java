package dev.outboxrelay.benchmark;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.outboxrelay.benchmark.peer.CommitTimes;

/**
 * (3) Full pipeline: producer transactions ({@code benchmark.producer.threads} connections,
 * {@code benchmark.pipeline.events-per-transaction} events each, default 10) for
 * {@code benchmark.pipeline.seconds} (default 30), the relay, and an idempotent consumer that records
 * each event's key in the same database and runs a no-op handler; latency is commit to handler.
 * <p>
 * Each of {@code benchmark.pipeline.rates} runs in turn on the same process. Rate 0 writes flat out:
 * events/s is what was handled from the first commit to the last handled event, so a pipeline that
 * cannot keep up is measured at the rate of its slowest part while its producers take their share of
 * the machine. A rate above 0 is offered by paced producers, and counts as sustained when every event
 * was handled within {@value #CATCH_UP_SECONDS} s of the last commit with p99 at most
 * {@value #SUSTAINED_P99_MILLIS} ms; once a rate is not sustained, the higher ones are skipped.
 */
final class PipelineScenario implements Scenario {

    static final String GROUP = "bench-pipeline";

    /** How long after the last commit an offered rate's events may still arrive. */
    static final int CATCH_UP_SECONDS = 10;

    /** The highest p99 commit-to-handler latency of a sustained rate: beyond it the backlog grows. */
    static final int SUSTAINED_P99_MILLIS = 2_000;

    /** The offered rate of the timed warm-up ({@code benchmark.warmup.seconds}). */
    static final int WARM_UP_RATE = 1_000;

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
            if (unsupported != null) {
                bench.settings().pipelineRates().forEach(rate -> rows.add(Row.skipped(label(rate), system.name(), unsupported)));
            } else {
                rows.addAll(pipeline(bench, system));
            }
        }
        return rows;
    }

    private static String label(int rate) {
        return rate == 0
                ? "(3) pipeline: producers + relay + idempotent consumer (Kafka)"
                : String.format(Locale.ROOT, "(3) pipeline at %,d/s offered: producers + relay + idempotent consumer (Kafka)", rate);
    }

    private List<Row> pipeline(Bench bench, RelaySystem system) {
        Settings settings = bench.settings();
        List<Row> rows = new ArrayList<>();
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
                int perTransaction = settings.pipelineEventsPerTransaction();
                int warmUp = settings.warmUp() / 2;
                system.produce(bench, database, process, topic, 0, warmUp, perTransaction, 0, timeout);
                if (!awaitHandled(database, system, warmUp, timeout, process)) {
                    throw new IllegalStateException("warm-up not handled within the timeout");
                }
                long first = warmUp;
                int warmCount = WARM_UP_RATE * settings.warmUpSeconds();
                if (warmCount > 0) {
                    // a rate every system keeps up with, unmeasured, until the JIT compiler has settled
                    CommitTimes commits = system.produce(bench, database, process, topic, first, warmCount, perTransaction,
                            WARM_UP_RATE, settings.warmUpSeconds() * 1000L + 10_000);
                    awaitHandled(database, system, first + commits.written(), timeout, process);
                    first += commits.written();
                }
                String behind = null;
                for (int rate : settings.pipelineRates()) {
                    if (behind != null) {
                        rows.add(Row.skipped(label(rate), system.name(), behind));
                        continue;
                    }
                    Benchmarks.log(String.format(Locale.ROOT, "pipeline: %s, %s", system.name(),
                            rate == 0 ? "flat out" : String.format(Locale.ROOT, "%,d/s offered", rate)));
                    SystemProcess.Phase phase = process.startPhase(postmaster);
                    long phaseMillis = settings.pipelineSeconds() * 1000L;
                    int offered = rate == 0 ? 1_000_000 : rate * settings.pipelineSeconds();
                    CommitTimes commits = system.produce(bench, database, process, topic, first, offered, perTransaction,
                            rate, rate == 0 ? phaseMillis : phaseMillis + 10_000);
                    int written = commits.written();
                    boolean complete = awaitHandled(database, system, first + written,
                            rate == 0 ? timeout : CATCH_UP_SECONDS * 1000L, process);
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
                    Latencies latencies = Latencies.of(commits.micros(), handled);
                    String note = String.format(Locale.ROOT, "%s; producers wrote %,.0f/s (%d connections × %d events/tx)",
                            system.note(), written / producerSeconds, settings.producerThreads(), perTransaction);
                    if (rate == 0) {
                        note += complete ? "" : "; INCOMPLETE: timed out";
                    } else {
                        String shortfall = shortfall(complete, count, written, latencies, written / producerSeconds, rate);
                        note += shortfall == null ? "; sustained" : "; NOT SUSTAINED: " + shortfall;
                        if (shortfall != null) {
                            behind = String.format(Locale.ROOT, "did not sustain %,d/s", rate);
                        }
                    }
                    rows.add(new Row(label(rate), system.name(), count, (last - start) / 1e6, latencies,
                            usage, process.startupSeconds(), note, null));
                    first += written;
                }
            }
        } catch (Exception e) {
            Benchmarks.log(system.name() + " failed: " + e.getMessage());
            for (int rate : settings.pipelineRates()) {
                if (rows.stream().noneMatch(row -> row.scenario().equals(label(rate)))) {
                    rows.add(Row.skipped(label(rate), system.name(), Scenario.why(e)));
                }
            }
        }
        return rows;
    }

    /** Why an offered rate was not sustained, or null. */
    private static String shortfall(boolean complete, int handled, int written, Latencies latencies, double achieved,
                                    int rate) {
        if (!complete) {
            return String.format(Locale.ROOT, "%,d of %,d handled within %d s of the last commit", handled, written,
                    CATCH_UP_SECONDS);
        }
        if (latencies.p99() > SUSTAINED_P99_MILLIS) {
            return String.format(Locale.ROOT, "p99 over %,d ms, the backlog grew", SUSTAINED_P99_MILLIS);
        }
        if (achieved < rate * 0.95) {
            return String.format(Locale.ROOT, "the producers wrote only %,.0f/s", achieved);
        }
        return null;
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
