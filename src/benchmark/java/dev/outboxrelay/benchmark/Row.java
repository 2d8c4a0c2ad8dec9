package dev.outboxrelay.benchmark;

/**
 * One line of the results table: a system's figures in one scenario, or why it has none.
 *
 * @param scenario  the scenario as the table shows it (rows of one scenario are compared with ours)
 * @param system    which system
 * @param events    events (or jobs) handled in the measured phase
 * @param seconds   measured wall time: from the backlog's commit (or the first producer transaction)
 *                  to the last event arriving (or being handled)
 * @param latencies commit-to-consumer latency, null where the scenario does not measure it
 * @param usage     what the measured phase cost the system's process (and the database server)
 * @param startupSeconds  from launching the system's JVM to its ready line
 * @param note      settings and caveats worth knowing
 * @param skipped   why the system has no figures here, or null
 */
record Row(String scenario, String system, long events, double seconds, Latencies latencies,
           SystemProcess.Usage usage, double startupSeconds, String note, String skipped) {

    static Row skipped(String scenario, String system, String why) {
        return new Row(scenario, system, 0, 0, null, null, 0, "", why);
    }

    double perSecond() {
        return seconds <= 0 ? 0 : events / seconds;
    }

    double cpuPer100k() {
        return usage.cpuSeconds() * 100_000 / Math.max(1, events);
    }

    double dbCpuPer100k() {
        return usage.dbCpuSeconds() * 100_000 / Math.max(1, events);
    }
}
