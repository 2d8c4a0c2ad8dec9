package dev.outboxrelay.benchmark;

import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's knobs, read from {@code -Dbenchmark.*} system properties (the Maven profile forwards
 * the common ones; others go in {@code -Dbenchmark.jvm.extra}).
 *
 * @param scenarios          which scenarios run, in order
 * @param systems            which systems run, in order
 * @param events             drain backlog size
 * @param warmUp             events (or jobs) each system handles before a measured run
 * @param warmUpSeconds      how long each system then keeps running the scenario's load before the measured
 *                           runs (drain: warm-up backlogs, steady: the first rate, pipeline: 1,000/s), so its
 *                           JIT compiler has settled; 0: the event count alone
 * @param aggregates         aggregates the events are spread over
 * @param steadyRates        offered rates of the steady-state scenario, events/s
 * @param steadySeconds      how long each steady rate is offered
 * @param eventsPerTransaction  events per producer transaction, steady state; 0: rate / 1,000 (at least 1)
 * @param pipelineSeconds    how long the pipeline's producers write
 * @param pipelineEventsPerTransaction  events per producer transaction, pipeline
 * @param pipelineRates      offered rates of the pipeline, events/s, in order; 0: the producers write flat out
 * @param producerThreads    producer connections
 * @param jobs               jobs of the job-queue scenario
 * @param jobWorkers         workers of the job-queue scenario
 * @param timeoutSeconds     longest wait for one measured run to finish
 * @param systemJvm          JVM options every system under test gets
 * @param debeziumPollMillis Debezium's poll.interval.ms
 * @param drainBrokers       the brokers the drain scenario drains to, in order
 * @param cds                whether the relay starts with a class-data sharing archive (README, "Start-up")
 */
record Settings(List<String> scenarios, List<String> systems, int events, int warmUp, int warmUpSeconds, int aggregates,
                List<Integer> steadyRates, int steadySeconds, int eventsPerTransaction, int pipelineSeconds,
                int pipelineEventsPerTransaction, List<Integer> pipelineRates, int producerThreads, int jobs, int jobWorkers,
                int timeoutSeconds, List<String> systemJvm, int debeziumPollMillis, List<String> drainBrokers,
                boolean cds) {

    static final List<String> ALL_SCENARIOS = List.of("drain", "steady", "pipeline", "jobs");
    static final List<String> ALL_SYSTEMS = List.of("ours", "debezium", "modulith", "naive-poller", "db-scheduler");
    static final List<String> ALL_BROKERS = List.of("kafka", "sqs", "rabbitmq");

    static Settings fromSystemProperties() {
        return new Settings(
                list("benchmark.scenarios", ALL_SCENARIOS),
                list("benchmark.systems", ALL_SYSTEMS),
                Integer.getInteger("benchmark.events", 200_000),
                Integer.getInteger("benchmark.warmup", 20_000),
                Integer.getInteger("benchmark.warmup.seconds", 30),
                Integer.getInteger("benchmark.aggregates", 1_000),
                integers("benchmark.steady.rates", "1000,5000"),
                Integer.getInteger("benchmark.steady.seconds", 30),
                Integer.getInteger("benchmark.steady.events-per-transaction", 0),
                Integer.getInteger("benchmark.pipeline.seconds", 30),
                Integer.getInteger("benchmark.pipeline.events-per-transaction", 10),
                integers("benchmark.pipeline.rates", "0,2000,4000,5000,6000,8000,10000,12000"),
                Integer.getInteger("benchmark.producer.threads", 8),
                Integer.getInteger("benchmark.jobs", 100_000),
                Integer.getInteger("benchmark.jobs.workers", 2),
                Integer.getInteger("benchmark.timeout.seconds", 600),
                Arrays.asList(System.getProperty("benchmark.system.jvm", "-Xmx1g -XX:+UseG1GC").strip().split("\\s+")),
                Integer.getInteger("benchmark.debezium.poll-interval-ms", 10),
                list("benchmark.drain.brokers", ALL_BROKERS),
                Boolean.parseBoolean(System.getProperty("benchmark.cds", "true")));
    }

    String describe() {
        return String.format(java.util.Locale.ROOT, "drain %,d events, warm-up %,d and %d s, %,d aggregates; steady %s/s for %d s, "
                        + "%s event(s)/tx; pipeline %s/s (0: flat out) for %d s, %d events/tx; %d producer connections; %,d jobs, %d workers; "
                        + "systems under test in JVMs with %s; relay %s",
                events, warmUp, warmUpSeconds, aggregates, steadyRates, steadySeconds,
                eventsPerTransaction > 0 ? Integer.toString(eventsPerTransaction) : "rate/1,000", pipelineRates, pipelineSeconds,
                pipelineEventsPerTransaction, producerThreads, jobs, jobWorkers, String.join(" ", systemJvm),
                cds ? "with a CDS archive of its classpath" : "without a CDS archive");
    }

    int eventsPerTransaction(int rate) {
        return eventsPerTransaction > 0 ? eventsPerTransaction : Math.max(1, rate / 1000);
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    boolean includes(String system) {
        return systems.contains(system);
    }

    private static List<Integer> integers(String property, String defaults) {
        return Arrays.stream(System.getProperty(property, defaults).split(",")).map(String::strip).map(Integer::valueOf).toList();
    }

    private static List<String> list(String property, List<String> all) {
        String value = System.getProperty(property, "all").strip();
        if (value.isEmpty() || value.equals("all")) {
            return all;
        }
        List<String> chosen = Arrays.stream(value.split(",")).map(String::strip).toList();
        for (String item : chosen) {
            if (!all.contains(item)) {
                throw new IllegalArgumentException("-D" + property + ": unknown " + item + "; known: " + all);
            }
        }
        return chosen;
    }
}
