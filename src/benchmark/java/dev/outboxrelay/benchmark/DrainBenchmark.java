package dev.outboxrelay.benchmark;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.outboxrelay.relay.SlotLeases;
import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.TestServers;

/**
 * Drain: a pre-filled outbox of 100,000 events over 1,000 aggregates (about 300 bytes each) is
 * relayed to a 6-partition Kafka topic by one relay instance with the shipped defaults. The instance
 * first relays a warm-up backlog of 20,000 events (JIT, producer connections, topic metadata), then
 * its relay route is stopped, the outbox filled, and the time measured from starting the route again
 * to the last event marked published.
 */
final class DrainBenchmark {

    static final int EVENTS = Integer.getInteger("benchmark.drain.events", 100_000);
    static final int AGGREGATES = 1_000;
    static final int WARM_UP = 20_000;

    List<Result> run() throws Exception {
        TestServers servers = TestServers.get();
        List<Result> results = new ArrayList<>();
        for (int batchSize : new int[] {500, 1000}) {
            results.add(drain(servers, batchSize));
        }
        return results;
    }

    private Result drain(TestServers servers, int batchSize) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "bench.drain-" + run;
        try (RelayInstance relay = RelayInstance.start("bench-" + run, new String[0], Map.of(
                "outbox.relay.enabled", "false",
                "outbox.relay.batch-size", batchSize,
                "outbox.routing.default-route.destination", "bench-drain-" + run,
                "logging.level.dev.outboxrelay", "WARN"))) {
            prefill(servers, topic, WARM_UP);
            relay.camel().getRouteController().startRoute("relay-slot-leases");
            relay.camel().getRouteController().startRoute("outbox-relay");
            awaitDrained(servers, topic);
            relay.camel().getRouteController().stopRoute("outbox-relay");

            prefill(servers, topic, EVENTS);
            Benchmarks.log("drain: " + EVENTS + " events waiting; relaying with batch size " + batchSize);
            long start = System.nanoTime();
            relay.camel().getRouteController().startRoute("outbox-relay");
            // take the slots now rather than at the next heartbeat
            relay.bean(SlotLeases.class).heartbeat();
            awaitDrained(servers, topic);
            double seconds = (System.nanoTime() - start) / 1e9;
            io.micrometer.core.instrument.MeterRegistry meters = relay.bean(io.micrometer.core.instrument.MeterRegistry.class);
            for (String phase : new String[] {"claim", "send", "settle"}) {
                io.micrometer.core.instrument.Timer timer = meters.find("outbox.relay.batch.phase").tag("phase", phase).timer();
                if (timer != null) {
                    Benchmarks.log(String.format("  %s: %d batches, mean %.1f ms", phase, timer.count(),
                            timer.mean(java.util.concurrent.TimeUnit.MILLISECONDS)));
                }
            }
            if (Boolean.getBoolean("benchmark.stats")) {
                org.apache.camel.api.management.ManagedCamelContext managed = relay.camel().getCamelContextExtension()
                        .getContextPlugin(org.apache.camel.api.management.ManagedCamelContext.class);
                for (String id : new String[] {"outbox-relay", "kafka-sink"}) {
                    System.out.println(managed.getManagedRoute(id).dumpRouteStatsAsXml(true, false));
                }
            }
            Benchmarks.log(String.format("drain: %.2f s, %.0f events/s", seconds, EVENTS / seconds));
            return new Result("drain 100k to Kafka", "outbox-relay", EVENTS, seconds,
                    "batch-size " + batchSize + ", 1,000 aggregates, 6 partitions, acks=all, idempotent");
        }
    }

    private static void awaitDrained(TestServers servers, String topic) throws SQLException {
        while (unpublished(servers, topic) > 0) {
            Benchmarks.sleep(20);
        }
    }

    private static void prefill(TestServers servers, String topic, int events) throws SQLException {
        try (Connection connection = DriverManager.getConnection(servers.postgres().jdbcUrl(),
                servers.postgres().username(), "");
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                     SELECT ?, 'agg-' || (g % ?), 'BenchmarkEvent',
                            jsonb_build_object('n', g, 'aggregate', 'agg-' || (g % ?), 'filler', repeat('x', 220)),
                            ? || ':' || g
                     FROM generate_series(?, ?) AS g
                     ON CONFLICT (dedupe_key) DO NOTHING
                     """)) {
            long offset = System.nanoTime();
            for (int from = 0; from < events; from += 10_000) {
                insert.setString(1, topic);
                insert.setInt(2, AGGREGATES);
                insert.setInt(3, AGGREGATES);
                insert.setString(4, topic + ":" + offset);
                insert.setInt(5, from);
                insert.setInt(6, Math.min(events, from + 10_000) - 1);
                insert.executeUpdate();
            }
            try (PreparedStatement analyze = connection.prepareStatement("ANALYZE outbox_events")) {
                analyze.execute();
            }
        }
    }

    private static long unpublished(TestServers servers, String topic) throws SQLException {
        try (Connection connection = DriverManager.getConnection(servers.postgres().jdbcUrl(),
                servers.postgres().username(), "");
             PreparedStatement count = connection.prepareStatement(
                     "SELECT count(*) FROM outbox_events WHERE topic = ? AND published_at IS NULL")) {
            count.setString(1, topic);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
