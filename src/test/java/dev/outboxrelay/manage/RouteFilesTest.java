package dev.outboxrelay.manage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;

import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/** A route file dropped in the external folder replaces the packaged one of the same name, or adds a route. */
class RouteFilesTest extends RelayTestSupport {

    @Test
    void externalFolderOverridesAPackagedRouteFileAndAddsNewOnes(@TempDir Path folder) throws IOException {
        String packaged = new String(new ClassPathResource("routes/kafka-sink.camel.yaml").getInputStream().readAllBytes());
        Files.writeString(folder.resolve("kafka-sink.camel.yaml"),
                packaged.replace("defaultValue: outbox-relay", "defaultValue: overridden-by-ops"));
        Files.writeString(folder.resolve("ops-heartbeat.camel.yaml"), """
                - route:
                    id: ops-heartbeat
                    from:
                      uri: timer:ops-heartbeat
                      parameters:
                        period: 60000
                      steps:
                        - log:
                            message: ops heartbeat
                """);

        try (RelayInstance instance = RelayInstance.start("routes-" + unique(), Map.of(
                "outbox.routes.external-dir", folder.toString(),
                "outbox.relay.enabled", "false"))) {
            Route sink = instance.camel().getRoute("kafka-sink");
            assertThat(instance.camel().getRoute("ops-heartbeat")).isNotNull();
            assertThat(sink.getSourceLocation()).startsWith("file:" + folder);
            assertThat(instance.camel().getEndpoints()).anyMatch(endpoint ->
                    endpoint.getEndpointUri().startsWith("kafka://overridden-by-ops"));
            assertThat(instance.camel().getRoute("outbox-relay").getSourceLocation())
                    .startsWith("classpath:routes/outbox-relay.camel.yaml");
        }
    }
}
