package dev.outboxrelay.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.outboxrelay.benchmark.peer.CommitTimes;
import dev.outboxrelay.benchmark.peer.Micros;

/**
 * (2) Steady state: producer transactions ({@code benchmark.producer.threads} connections, default 8)
 * write events at a fixed offered rate (1,000/s, then 5,000/s) for {@code benchmark.steady.seconds}
 * (default 30), to Kafka; 1,000 transactions a second, so 1 event per transaction at 1,000/s and 5 at
 * 5,000/s, unless {@code benchmark.steady.events-per-transaction} says otherwise.
 * Latency is from each producer transaction's commit to the harness's consumer reading the event.
 * events/s is what arrived over the phase; a system that cannot keep up falls behind and says so.
 */
final class SteadyScenario implements Scenario {

    private final List<RelaySystem> systems;

    SteadyScenario(List<RelaySystem> systems) {
        this.systems = systems;
    }

    @Override
    public String name() {
        return "steady";
    }

    @Override
    public List<Row> run(Bench bench) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (RelaySystem system : systems) {
            rows.addAll(steady(bench, system));
        }
        rows.sort(java.util.Comparator.comparing(Row::scenario));
        return rows;
    }

    private static String label(int rate) {
        return String.format(Locale.ROOT, "(2) steady %,d/s → Kafka", rate);
    }

    private List<Row> steady(Bench bench, RelaySystem system) {
        Settings settings = bench.settings();
        List<Row> rows = new ArrayList<>();
        String topic = "bench.steady." + system.name();
        Benchmarks.log("steady state: " + system.name());
        try (BenchDatabase database = bench.database("steady", system.name())) {
            bench.servers().createTopic(topic);
            try (SystemProcess process = system.start(bench, database, new RelaySystem.Run("steady", topic, null));
                 KafkaReceiver receiver = new KafkaReceiver(bench.servers().kafkaBootstrap(), topic)) {
                long postmaster = bench.servers().postmasterPid();
                int warmUp = settings.warmUp() / 2;
                KafkaReceiver.Expectation warm = receiver.expect(0, warmUp);
                system.produce(bench, database, process, topic, 0, warmUp,
                        settings.eventsPerTransaction(settings.steadyRates().get(0)), 0, settings.timeoutSeconds() * 1000L);
                if (!KafkaReceiver.await(warm, settings.timeoutSeconds() * 1000L, process)) {
                    throw new IllegalStateException("warm-up not delivered within the timeout");
                }
                long first = warmUp;
                int warmRate = settings.steadyRates().get(0);
                int warmCount = warmRate * settings.warmUpSeconds();
                if (warmCount > 0) {
                    // the first rate, unmeasured, until the JIT compiler has settled
                    KafkaReceiver.Expectation settling = receiver.expect(first, warmCount);
                    CommitTimes commits = system.produce(bench, database, process, topic, first, warmCount,
                            settings.eventsPerTransaction(warmRate), warmRate, settings.warmUpSeconds() * 1000L + 10_000);
                    KafkaReceiver.await(settling, commits.written(), settings.timeoutSeconds() * 1000L, process);
                    first += warmCount;
                }
                String behind = null;
                for (int rate : settings.steadyRates()) {
                    if (behind != null) {
                        rows.add(Row.skipped(label(rate), system.name(), behind));
                        continue;
                    }
                    int count = rate * settings.steadySeconds();
                    int perTransaction = settings.eventsPerTransaction(rate);
                    KafkaReceiver.Expectation expected = receiver.expect(first, count);
                    SystemProcess.Phase phase = process.startPhase(postmaster);
                    long deadline = settings.steadySeconds() * 1000L + 10_000;
                    CommitTimes commits = system.produce(bench, database, process, topic, first, count,
                            perTransaction, rate, deadline);
                    // what is still on its way may take as long again as the phase, then it counts as behind
                    boolean complete = KafkaReceiver.await(expected, commits.written(), settings.steadySeconds() * 1000L,
                            process);
                    SystemProcess.Usage usage = phase.end(postmaster);
                    long start = firstCommit(commits);
                    long end = complete ? expected.lastMicros() : Micros.now();
                    double achieved = commits.written() / ((lastCommit(commits) - start) / 1e6);
                    String note = String.format(Locale.ROOT, "%s; producers wrote %,.0f/s (%d connections × %d event(s)/tx)%s",
                            system.note(), achieved, settings.producerThreads(), perTransaction,
                            achieved < rate * 0.95 ? " BELOW THE OFFERED RATE" : "");
                    if (!complete) {
                        behind = String.format(Locale.ROOT, "did not keep up with %,d/s", rate);
                        note += String.format(Locale.ROOT, "; NOT SUSTAINED: %,d of %,d arrived %d s after the last commit",
                                expected.distinct(), commits.written(), settings.steadySeconds());
                    }
                    rows.add(new Row(label(rate), system.name(), expected.distinct(), (end - start) / 1e6,
                            Latencies.of(commits.micros(), expected.receivedMicros), usage, process.startupSeconds(),
                            note, null));
                    first += count;
                }
            }
        } catch (Exception e) {
            Benchmarks.log(system.name() + " failed: " + e.getMessage());
            for (int rate : settings.steadyRates()) {
                if (rows.stream().noneMatch(row -> row.scenario().equals(label(rate)))) {
                    rows.add(Row.skipped(label(rate), system.name(), Scenario.why(e)));
                }
            }
        }
        return rows;
    }

    static long firstCommit(CommitTimes commits) {
        long first = Long.MAX_VALUE;
        for (long micros : commits.micros()) {
            if (micros != 0) {
                first = Math.min(first, micros);
            }
        }
        return first;
    }

    static long lastCommit(CommitTimes commits) {
        long last = 0;
        for (long micros : commits.micros()) {
            last = Math.max(last, micros);
        }
        return last;
    }
}
