package dev.outboxrelay.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.outboxrelay.benchmark.peer.CommitTimes;
import dev.outboxrelay.benchmark.peer.Micros;
import dev.outboxrelay.benchmark.peer.Payloads;

/** The peers the relay is compared with, each a program in benchmark/peers started in a JVM of its own. */
final class Peers {

    private Peers() {
    }

    /** A peer relay: a main class in a module of benchmark/peers, started with the run's -Dbench.* settings. */
    abstract static class PeerRelay implements RelaySystem {

        private final String name;
        private final String mainClass;

        PeerRelay(String name, String mainClass) {
            this.name = name;
            this.mainClass = mainClass;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String peerModule() {
            return name;
        }

        /** Settings of this peer beyond those of every peer. */
        Map<String, String> extraProperties(Bench bench) {
            return Map.of();
        }

        @Override
        public SystemProcess start(Bench bench, BenchDatabase database, Run run) throws Exception {
            Map<String, String> properties = RelaySystem.peerProperties(bench, database, run);
            properties.putAll(extraProperties(bench));
            return bench.launchPeer(run.scenario(), name, peerModule(), mainClass, properties);
        }
    }

    /** The textbook poller: one row per transaction, SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED, 2 loops. */
    static final class NaivePoller extends PeerRelay {

        NaivePoller() {
            super("naive-poller", "dev.outboxrelay.benchmark.peer.naive.NaivePoller");
        }

        @Override
        public String note() {
            return "2 loops, 100 ms sleep when empty";
        }
    }

    /** Debezium's embedded engine, PostgreSQL connector (pgoutput), outbox EventRouter, produced to Kafka. */
    static final class Debezium extends PeerRelay {

        Debezium() {
            super("debezium", "dev.outboxrelay.benchmark.peer.debezium.DebeziumPeer");
        }

        @Override
        Map<String, String> extraProperties(Bench bench) {
            return Map.of("bench.debezium.poll-interval-ms", Integer.toString(bench.settings().debeziumPollMillis()));
        }

        @Override
        public String note() {
            return "3.4.3.Final, poll.interval.ms " + Integer.getInteger("benchmark.debezium.poll-interval-ms", 10);
        }
    }

    /**
     * Spring Modulith 1.4's JDBC event publication registry with Kafka externalization. Its producer
     * lives in its process; a backlog is publication rows that were never completed, resubmitted.
     */
    static final class Modulith extends PeerRelay {

        Modulith() {
            super("modulith", "dev.outboxrelay.benchmark.peer.modulith.ModulithPeer");
        }

        @Override
        public String note() {
            return "1.4.4, producer in its process";
        }

        /**
         * Incomplete publications, written like the ones Modulith leaves behind when it could not send
         * (listener and event type copied from one it wrote itself), then resubmitted through
         * {@code IncompleteEventPublications}; the phase starts at the resubmission.
         */
        @Override
        public long backlog(Bench bench, BenchDatabase database, SystemProcess process, String topic, long first,
                            int count, Runnable beforeVisible) throws Exception {
            if (database.count("SELECT count(*) FROM event_publication") == 0) {
                process.command("produce -1 1 1 0 1 60000 /dev/null", "PRODUCED", Duration.ofSeconds(60));
            }
            database.execute("""
                    INSERT INTO event_publication (id, listener_id, event_type, serialized_event, publication_date)
                    SELECT gen_random_uuid(), template.listener_id, template.event_type,
                           json_build_object('n', g, 'aggregate', 'agg-' || (g %% %d), 'filler', repeat('x', %d))::text,
                           now()
                    FROM generate_series(%d::bigint, %d::bigint) AS g,
                         (SELECT listener_id, event_type FROM event_publication LIMIT 1) AS template"""
                    .formatted(bench.settings().aggregates(), Payloads.FILLER, first, first + count - 1));
            beforeVisible.run();
            long start = Micros.now();
            process.command("resubmit", "RESUBMITTED", Duration.ofSeconds(bench.settings().timeoutSeconds()));
            return start;
        }

        @Override
        public CommitTimes produce(Bench bench, BenchDatabase database, SystemProcess process, String topic, long first,
                                   int count, int perTransaction, double rate, long deadlineMillis) throws Exception {
            Path times = process.dir().resolve("commit-times-" + first + ".bin");
            process.command("produce %d %d %d %s %d %d %s".formatted(first, count, perTransaction, rate,
                    bench.settings().producerThreads(), deadlineMillis, times), "PRODUCED",
                    Duration.ofMillis(deadlineMillis).plusSeconds(120));
            return CommitTimes.read(times);
        }
    }
}
