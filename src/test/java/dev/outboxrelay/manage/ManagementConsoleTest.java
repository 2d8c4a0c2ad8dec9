package dev.outboxrelay.manage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.support.RelayTestSupport;
import dev.outboxrelay.support.TestAccounts;

/** Hawtio is served at /actuator/hawtio, and Jolokia shows it the Camel routes registered in JMX. */
class ManagementConsoleTest extends RelayTestSupport {

    @LocalServerPort
    private int port;

    @Test
    void hawtioIsServedAndJolokiaListsTheRelayRoutes() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> console = http.send(asOperator(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/hawtio/"))), HttpResponse.BodyHandlers.ofString());
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).containsIgnoringCase("hawtio");

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> routes = server.queryNames(new ObjectName("org.apache.camel:type=routes,*"), null);
        assertThat(routes).anyMatch(name -> "\"outbox-relay\"".equals(name.getKeyProperty("name")));

        HttpResponse<String> jolokia = http.send(asOperator(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/jolokia/search/org.apache.camel:type=routes,*"))), HttpResponse.BodyHandlers.ofString());
        assertThat(jolokia.statusCode()).isEqualTo(200);
        assertThat(jolokia.body()).contains("outbox-relay");
    }

    /** Hawtio and Jolokia are for operators only. */
    private static HttpRequest asOperator(HttpRequest.Builder request) {
        TestAccounts accounts = servers().accounts();
        String credentials = accounts.operator() + ":" + accounts.operatorPassword();
        return request.header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))).build();
    }
}
