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

    private TestKafka(EmbeddedKafkaKraftBroker broker, TcpProxy proxy) {
        this.broker = broker;
        this.proxy = proxy;
    }

    static TestKafka start() {
        int listenPort = FreePorts.next();
        TcpProxy proxy = TcpProxy.start(listenPort);
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 6);
        broker.brokerProperties(Map.of(
                "listeners", "EXTERNAL://127.0.0.1:" + listenPort + ",CONTROLLER://127.0.0.1:0",
                "advertised.listeners", "EXTERNAL://127.0.0.1:" + proxy.port(),
                "auto.create.topics.enable", "true",
                "log.flush.interval.messages", "1000000",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1"));
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
        return new TestKafka(broker, proxy);
    }

    /** Bootstrap servers for clients: the proxy. */
    public String bootstrapServers() {
        return "127.0.0.1:" + proxy.port();
    }

    public TcpProxy proxy() {
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
