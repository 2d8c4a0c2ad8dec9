package dev.outboxrelay.support;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.outboxrelay.OutboxRelayApplication;

/**
 * Another instance of the service in this JVM, with its own Spring and Camel context, relay identity,
 * connection pools and broker clients: to the database and the brokers it is a separate relay process.
 */
public final class RelayInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private RelayInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts an instance named {@code name} with the test profile, the shared servers and some overrides. */
    public static RelayInstance start(String name, Map<String, Object> overrides) {
        return start(name, new String[] {"test"}, overrides);
    }

    /** Starts an instance with the given profiles (none: production defaults) on the shared servers. */
    public static RelayInstance start(String name, String[] profiles, Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(TestServers.get().properties());
        properties.put("outbox.relay.instance-id", name);
        properties.put("camel.main.name", "outbox-relay-" + name);
        properties.put("spring.application.name", "outbox-relay-" + name);
        properties.putAll(overrides);
        // as command-line arguments, so they win over application.yaml like the test context's own
        String[] arguments = properties.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(OutboxRelayApplication.class)
                .profiles(profiles)
                .web(WebApplicationType.NONE)
                .run(arguments);
        return new RelayInstance(context);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public CamelContext camel() {
        return context.getBean(CamelContext.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
