package dev.outboxrelay.support;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * ElasticMQ, an SQS-compatible server, inside this JVM and reached through a {@link TcpProxy} so that
 * a test can make SQS unreachable. Queue URLs name the proxy, like every request.
 */
public final class TestSqs {

    private final SQSRestServer server;
    private final TcpProxy proxy;

    private TestSqs(SQSRestServer server, TcpProxy proxy) {
        this.server = server;
        this.proxy = proxy;
    }

    static TestSqs start() {
        int listenPort = FreePorts.next();
        TcpProxy proxy = TcpProxy.start(listenPort);
        SQSRestServer server = SQSRestServerBuilder
                .withInterface("127.0.0.1")
                .withPort(listenPort)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", proxy.port(), ""))
                .start();
        server.waitUntilStarted();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopAndWait));
        return new TestSqs(server, proxy);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.port();
    }

    public TcpProxy proxy() {
        return proxy;
    }

    @Override
    public String toString() {
        return "ElasticMQ at " + endpoint();
    }
}
