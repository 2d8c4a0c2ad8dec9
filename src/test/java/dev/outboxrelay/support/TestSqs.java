package dev.outboxrelay.support;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * ElasticMQ, an SQS-compatible server, inside this JVM and reached through a {@link TcpProxy} so that
 * a test can make SQS unreachable. Queue URLs name the proxy, like every request.
 */
public final class TestSqs {

    private final TcpProxy proxy;
    private final int port;

    private TestSqs(TcpProxy proxy, int port) {
        this.proxy = proxy;
        this.port = port;
    }

    /** @param direct no proxy in between, for benchmarks */
    public static TestSqs start(boolean direct) {
        int listenPort = FreePorts.next();
        TcpProxy proxy = direct ? null : TcpProxy.start(listenPort);
        int port = direct ? listenPort : proxy.port();
        SQSRestServer server = SQSRestServerBuilder
                .withInterface("127.0.0.1")
                .withPort(listenPort)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                .start();
        server.waitUntilStarted();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopAndWait));
        return new TestSqs(proxy, port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public TcpProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("ElasticMQ was started without a proxy (outbox.test.direct)");
        }
        return proxy;
    }

    @Override
    public String toString() {
        return "ElasticMQ at " + endpoint();
    }
}
