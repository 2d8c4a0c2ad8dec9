package dev.outboxrelay.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The relay as it ships ({@code dev.outboxrelay.OutboxRelayApplication} on its runtime classpath, with
 * the production defaults of application.yaml), pointed at the benchmark's servers. Topics starting
 * {@code bench-sqs.} are routed to SQS and {@code bench-rabbit.} to RabbitMQ; everything else goes to
 * the Kafka topic of the same name (the shipped default route).
 */
final class Ours implements RelaySystem {

    static final String SQS_PREFIX = "bench-sqs.";
    static final String RABBIT_PREFIX = "bench-rabbit.";

    private final OursPipeline pipeline = new OursPipeline();

    @Override
    public String name() {
        return "ours";
    }

    @Override
    public String peerModule() {
        return null;
    }

    @Override
    public String unsupported(String broker) {
        return null;
    }

    @Override
    public String pipelineUnsupported() {
        return pipeline.unsupported();
    }

    @Override
    public SystemProcess start(Bench bench, BenchDatabase database, Run run) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(bench.servers().relayProperties(database));
        properties.put("server.port", "0");
        properties.put("outbox.relay.instance-id", "bench-ours");
        properties.put("outbox.sqs.auto-create-queues", "true");
        properties.put("outbox.routing.routes[0].topic", SQS_PREFIX + "*");
        properties.put("outbox.routing.routes[0].broker", "sqs");
        properties.put("outbox.routing.routes[0].destination", DrainScenario.SQS_QUEUE);
        properties.put("outbox.routing.routes[1].topic", RABBIT_PREFIX + "*");
        properties.put("outbox.routing.routes[1].broker", "rabbitmq");
        properties.put("outbox.routing.routes[1].destination", DrainScenario.RABBIT_EXCHANGE);
        // the harness declares the exchange and its queue itself, without RabbitMQ's alternate-exchange argument
        properties.put("outbox.rabbitmq.unroutable-exchange", "");
        if (run.consumes()) {
            properties.putAll(pipeline.properties(run));
        }
        List<String> arguments = new ArrayList<>();
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        String classpath = run.consumes() ? bench.relayWithWorkClasspath() : bench.relayClasspath();
        return bench.launchRelay(run.scenario(), name(), classpath, arguments);
    }

    @Override
    public String handledSql(String consumerGroup) {
        return pipeline.handledSql(consumerGroup);
    }

    @Override
    public String note() {
        return "shipped defaults (batch 1000, LISTEN/NOTIFY)";
    }
}
