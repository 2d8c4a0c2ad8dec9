package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.support.FreePorts;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * The Dockerfile's HEALTHCHECK command, run as Docker would run it (no Docker engine here, so the image
 * itself is not built): healthy while the service reports ready, unhealthy on any other status or when
 * nothing listens. It needs only bash, head and grep, which the Ubuntu-based JRE image has.
 */
class ContainerHealthCheckTest extends RelayTestSupport {

    private static final Path DOCKERFILE = Path.of("Dockerfile");

    @LocalServerPort
    private int port;

    @Test
    void healthyWhenTheServiceIsReady() throws Exception {
        assertThat(String.join(" ", healthCheck())).contains("GET /actuator/health/readiness ");
        assertThat(runHealthCheck(port)).isZero();
    }

    @Test
    void unhealthyWhenReadinessAnswersAnythingButOk() throws Exception {
        HttpServer notReady = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notReady.createContext("/actuator/health/readiness", exchange -> {
            byte[] body = "{\"status\":\"OUT_OF_SERVICE\"}".getBytes();
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        notReady.start();
        try {
            assertThat(runHealthCheck(notReady.getAddress().getPort())).isNotZero();
        } finally {
            notReady.stop(0);
        }
    }

    @Test
    void unhealthyWhenNothingListens() throws Exception {
        assertThat(runHealthCheck(FreePorts.next())).isNotZero();
    }

    @Test
    void runtimeImageIsALayeredJre17RunningAsNonRootWithAnOptionalCdsArchive() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        List<String> runtime = List.of(dockerfile.substring(dockerfile.lastIndexOf("\nFROM ")).split("\n"));
        assertThat(runtime.get(1)).startsWith("FROM eclipse-temurin:17-jre");
        assertThat(runtime).anyMatch(line -> line.matches("USER 10001(:10001)?"));
        assertThat(dockerfile).contains("-Djarmode=tools", "extract --layers --application-filename outbox-relay.jar")
                .doesNotContain("--launcher");
        assertThat(runtime).filteredOn(line -> line.startsWith("COPY --from=build /layers/"))
                .extracting(line -> line.split(" ")[2])
                .containsExactly("/layers/dependencies/", "/layers/snapshot-dependencies/", "/layers/application/");
        assertThat(runtime).filteredOn(line -> line.startsWith("ENTRYPOINT")).singleElement().asString()
                .contains("\"-XX:SharedArchiveFile=/app/cds/relay.jsa\", \"-Xshare:auto\", \"-jar\", \"outbox-relay.jar\"");
        assertThat(runtime).noneMatch(line -> line.contains("apt-get install"));
    }

    /** The HEALTHCHECK's CMD, in exec form. */
    private static List<String> healthCheck() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        String instruction = dockerfile.substring(dockerfile.indexOf("\nHEALTHCHECK "));
        String command = instruction.substring(instruction.indexOf("CMD [") + 4, instruction.indexOf("]\n") + 1);
        return new ObjectMapper().readValue(command, new TypeReference<List<String>>() {
        });
    }

    private static int runHealthCheck(int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(healthCheck()).redirectErrorStream(true);
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        Process process = builder.start();
        // Docker's --timeout=3s
        assertThat(process.waitFor(3, TimeUnit.SECONDS)).as("finished within the check's timeout").isTrue();
        return process.exitValue();
    }
}
