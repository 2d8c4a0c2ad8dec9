package dev.outboxrelay.benchmark.peer.modulith;

/** The benchmark event, serialised by Modulith's registry and by the Kafka JSON serializer to the harness's payload shape. */
public record BenchEvent(long n, String aggregate, String filler) {
}
