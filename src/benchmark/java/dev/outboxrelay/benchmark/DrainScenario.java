package dev.outboxrelay.benchmark;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import dev.outboxrelay.benchmark.peer.Micros;

/**
 * (1) Drain: a backlog of {@code benchmark.events} events (default 200,000, about 300 bytes, over 1,000
 * aggregates) appears in the outbox in one transaction while the system runs, after it has relayed a
 * warm-up backlog the same way; measured from that commit to the last event arriving at the harness's
 * Kafka consumer. Ours then drains the same backlog to SQS and to RabbitMQ, measured from the commit to
 * the outbox being empty (every event acknowledged), the broker's message count checked afterwards.
 */
final class DrainScenario implements Scenario {

    static final String SQS_QUEUE = "bench-drain";
    static final String RABBIT_EXCHANGE = "bench.drain." + ProcessHandle.current().pid();

    /** The most warm-up backlogs before the measured one, however fast they go. */
    static final int MAX_WARM_UP_ROUNDS = 10;

    private final List<RelaySystem> systems;

    DrainScenario(List<RelaySystem> systems) {
        this.systems = systems;
    }

    @Override
    public String name() {
        return "drain";
    }

    @Override
    public List<Row> run(Bench bench) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String broker : bench.settings().drainBrokers()) {
            for (RelaySystem system : systems) {
                String label = label(bench, broker);
                String unsupported = system.unsupported(broker);
                if (unsupported != null && broker.equals("kafka")) {
                    rows.add(Row.skipped(label, system.name(), unsupported));
                } else if (unsupported == null) {
                    rows.add(drain(bench, system, broker, label));
                }
            }
        }
        return rows;
    }

    private static String label(Bench bench, String broker) {
        String to = switch (broker) {
            case "kafka" -> "Kafka";
            case "sqs" -> "SQS";
            default -> "RabbitMQ";
        };
        return String.format(Locale.ROOT, "(1) drain %,dk → %s", bench.settings().events() / 1000, to);
    }

    private Row drain(Bench bench, RelaySystem system, String broker, String label) {
        String scenario = "drain-" + broker;
        Benchmarks.log(label + ": " + system.name());
        String topic = switch (broker) {
            case "kafka" -> "bench.drain." + system.name();
            case "sqs" -> Ours.SQS_PREFIX + "drain";
            default -> Ours.RABBIT_PREFIX + "drain";
        };
        Settings settings = bench.settings();
        try (BenchDatabase database = bench.database(scenario, system.name())) {
            if (broker.equals("kafka")) {
                bench.servers().createTopic(topic);
            }
            try (Rabbit rabbit = broker.equals("rabbitmq") ? Rabbit.declare(bench) : null;
                 SystemProcess process = system.start(bench, database, new RelaySystem.Run(scenario, topic, null))) {
                long postmaster = bench.servers().postmasterPid();
                AtomicReference<SystemProcess.Phase> phase = new AtomicReference<>();
                // warm-up backlogs, one after another until the JIT compiler has had benchmark.warmup.seconds
                long warmUntil = System.currentTimeMillis() + settings.warmUpSeconds() * 1000L;
                long first = 0;
                int rounds = 0;
                do {
                    Delivered warmUp = deliver(bench, system, database, process, broker, topic, first, settings.warmUp(), () -> { });
                    if (!warmUp.complete) {
                        return Row.skipped(label, system.name(), "warm-up not delivered within the timeout");
                    }
                    first += settings.warmUp();
                } while (++rounds < MAX_WARM_UP_ROUNDS && System.currentTimeMillis() < warmUntil);
                Delivered measured = deliver(bench, system, database, process, broker, topic, first,
                        settings.events(), () -> phase.set(process.startPhase(postmaster)));
                SystemProcess.Usage usage = phase.get().end(postmaster);
                String note = system.note();
                if (!measured.complete) {
                    note += "; INCOMPLETE: timed out after " + settings.timeoutSeconds() + " s";
                }
                if (broker.equals("sqs")) {
                    note += "; SQS standard queue holds " + sqsCount(bench);
                } else if (broker.equals("rabbitmq")) {
                    note += "; " + bench.servers().rabbit() + ", queue holds " + rabbit.count();
                } else if (measured.duplicates > 0) {
                    note += "; " + measured.duplicates + " duplicates";
                }
                return new Row(label, system.name(), measured.events, (measured.endMicros - measured.startMicros) / 1e6,
                        null, usage, process.startupSeconds(), note, null);
            }
        } catch (Exception e) {
            Benchmarks.log(system.name() + " failed: " + e.getMessage());
            return Row.skipped(label, system.name(), Scenario.why(e));
        }
    }

    private record Delivered(long events, long startMicros, long endMicros, boolean complete, long duplicates) {
    }

    private static Delivered deliver(Bench bench, RelaySystem system, BenchDatabase database, SystemProcess process,
                                     String broker, String topic, long first, int count, Runnable beforeVisible)
            throws Exception {
        long timeout = bench.settings().timeoutSeconds() * 1000L;
        if (broker.equals("kafka")) {
            try (KafkaReceiver receiver = new KafkaReceiver(bench.servers().kafkaBootstrap(), topic)) {
                KafkaReceiver.Expectation expected = receiver.expect(first, count);
                long start = system.backlog(bench, database, process, topic, first, count, beforeVisible);
                boolean complete = KafkaReceiver.await(expected, timeout, process);
                return new Delivered(expected.distinct(), start, complete ? expected.lastMicros() : Micros.now(),
                        complete, expected.duplicates());
            }
        }
        long start = system.backlog(bench, database, process, topic, first, count, beforeVisible);
        long deadline = System.currentTimeMillis() + timeout;
        long waiting;
        while ((waiting = OutboxRows.unpublished(database, topic)) > 0 && System.currentTimeMillis() < deadline) {
            process.ensureAlive();
            Benchmarks.sleep(20);
        }
        return new Delivered(count - waiting, start, Micros.now(), waiting == 0, 0);
    }

    private static long sqsCount(Bench bench) {
        try (SqsClient sqs = SqsClient.builder()
                .endpointOverride(URI.create(bench.servers().sqsEndpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .build()) {
            String url = sqs.getQueueUrl(request -> request.queueName(SQS_QUEUE)).queueUrl();
            return Long.parseLong(sqs.getQueueAttributes(request -> request.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
        }
    }

    /** The exchange ours publishes to, with a queue that keeps every message; both deleted afterwards. */
    private record Rabbit(Connection connection, Channel channel, String queue) implements AutoCloseable {

        static Rabbit declare(Bench bench) throws Exception {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost("127.0.0.1");
            factory.setPort(bench.servers().rabbit().port());
            factory.setUsername("guest");
            factory.setPassword("guest");
            Connection connection = factory.newConnection("outbox-relay-benchmark");
            Channel channel = connection.createChannel();
            String queue = RABBIT_EXCHANGE + ".all";
            channel.exchangeDeclare(RABBIT_EXCHANGE, "topic", true, false, Map.of());
            channel.queueDeclare(queue, true, false, false, Map.of());
            channel.queueBind(queue, RABBIT_EXCHANGE, "#");
            return new Rabbit(connection, channel, queue);
        }

        long count() throws Exception {
            return channel.messageCount(queue);
        }

        @Override
        public void close() throws Exception {
            channel.queueDelete(queue);
            channel.exchangeDelete(RABBIT_EXCHANGE);
            connection.close();
        }
    }
}
