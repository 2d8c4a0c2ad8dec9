package dev.outboxrelay.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.model.SystemConfig;

/**
 * The AMQP 0-9-1 broker the tests and the demo use: the RabbitMQ on 127.0.0.1:5672 when one is there
 * (always in CI), otherwise an embedded Apache Qpid Broker-J. Either is reached through a
 * {@link TcpProxy}, so a test can make it unreachable.
 */
public final class TestRabbit {

    private static final int LOCAL_PORT = 5672;

    private final TcpProxy proxy;
    private final int directPort;
    private final boolean realRabbit;
    private final String description;

    private TestRabbit(TcpProxy proxy, int directPort, boolean realRabbit, String description) {
        this.proxy = proxy;
        this.directPort = directPort;
        this.realRabbit = realRabbit;
        this.description = description;
    }

    /** @param direct no proxy in between, for benchmarks */
    public static TestRabbit start(boolean direct) {
        if (!Boolean.getBoolean("outbox.test.embedded") && FreePorts.isListening(LOCAL_PORT)) {
            return new TestRabbit(direct ? null : TcpProxy.start(LOCAL_PORT), LOCAL_PORT, true,
                    "RabbitMQ on 127.0.0.1:" + LOCAL_PORT);
        }
        int port = FreePorts.next();
        startQpid(port);
        return new TestRabbit(direct ? null : TcpProxy.start(port), port, false, "embedded Qpid Broker-J on port " + port);
    }

    private static void startQpid(int port) {
        try {
            Path work = Files.createTempDirectory("outbox-qpid");
            Path config = work.resolve("config.json");
            Files.writeString(config, """
                    {
                      "name": "outbox-relay-embedded",
                      "modelVersion": "9.0",
                      "authenticationproviders": [{
                        "name": "plain",
                        "type": "Plain",
                        "secureOnlyMechanisms": [],
                        "users": [{"name": "guest", "password": "guest", "type": "managed"}]
                      }],
                      "ports": [{
                        "name": "AMQP",
                        "port": "%d",
                        "bindingAddress": "127.0.0.1",
                        "authenticationProvider": "plain",
                        "protocols": ["AMQP_0_9_1"],
                        "virtualhostaliases": [
                          {"name": "nameAlias", "type": "nameAlias"},
                          {"name": "defaultAlias", "type": "defaultAlias"}
                        ]
                      }],
                      "virtualhostnodes": [{
                        "name": "default",
                        "type": "Memory",
                        "defaultVirtualHostNode": "true",
                        "virtualHostInitialConfiguration": "{\\"type\\": \\"Memory\\"}"
                      }]
                    }
                    """.formatted(port), StandardCharsets.UTF_8);
            Map<String, Object> attributes = new HashMap<>();
            attributes.put(SystemConfig.TYPE, "Memory");
            attributes.put(SystemConfig.INITIAL_CONFIGURATION_LOCATION, config.toUri().toString());
            attributes.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
            attributes.put("qpid.work_dir", work.toString());
            SystemLauncher launcher = new SystemLauncher();
            launcher.startup(attributes);
            Runtime.getRuntime().addShutdownHook(new Thread(launcher::shutdown));
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Qpid Broker-J did not start", e);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Qpid Broker-J did not start", e);
        }
    }

    /** The port the service connects to: the proxy, unless started direct. */
    public int port() {
        return proxy == null ? directPort : proxy.port();
    }

    /** The broker's own port, for test clients that must not be cut off with the service. */
    public int directPort() {
        return directPort;
    }

    public TcpProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("RabbitMQ is reached without a proxy (outbox.test.direct)");
        }
        return proxy;
    }

    /** False for the embedded Qpid broker, which lacks some RabbitMQ extensions. */
    public boolean isRealRabbit() {
        return realRabbit;
    }

    @Override
    public String toString() {
        return description;
    }
}
