package dev.outboxrelay.support;

import java.util.Map;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka 3.9 broker in KRaft mode inside this JVM, reached through a {@link TcpProxy}: the
 * broker advertises the proxy's port, so every client, the relay included, connects through it and
 * a test can cut Kafka off for real.
 */
public final class TestKafka {

    private final EmbeddedKafkaKraftBroker broker;
    private final TcpProxy proxy;
    private final int port;

    private TestKafka(EmbeddedKafkaKraftBroker broker, TcpProxy proxy, int port) {
        this.broker = broker;
        this.proxy = proxy;
        this.port = port;
    }

    /** @param direct no proxy in between, for benchmarks: a proxy costs two copies of every byte */
    public static TestKafka start(boolean direct) {
        int listenPort = FreePorts.next();
        TcpProxy proxy = direct ? null : TcpProxy.start(listenPort);
        int advertisedPort = direct ? listenPort : proxy.port();
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 6);
        broker.brokerProperties(Map.of(
                "listeners", "EXTERNAL://127.0.0.1:" + listenPort + ",CONTROLLER://127.0.0.1:0",
                "advertised.listeners", "EXTERNAL://127.0.0.1:" + advertisedPort,
                "auto.create.topics.enable", "true",
                "log.flush.interval.messages", "1000000",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1"));
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
        return new TestKafka(broker, proxy, advertisedPort);
    }

    /** Bootstrap servers for clients: the proxy, unless started direct. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public TcpProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("Kafka was started without a proxy (outbox.test.direct)");
        }
        return proxy;
    }

    public EmbeddedKafkaKraftBroker broker() {
        return broker;
    }

    @Override
    public String toString() {
        return "embedded Kafka (KRaft) at " + bootstrapServers();
    }
}
