package dev.outboxrelay.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.management.ObjectName;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.HttpApi;

/**
 * The admin API, metrics, Hawtio and Jolokia answer only to the viewer and operator accounts; viewers
 * read, operators change; the health probes and the public API stay open.
 */
class AccessControlTest extends ConsumerTestSupport {

    @LocalServerPort
    private int port;

    private HttpApi anonymous;
    private HttpApi viewer;
    private HttpApi operator;

    @BeforeEach
    void clients() {
        anonymous = new HttpApi(port);
        viewer = anonymous.asViewer();
        operator = anonymous.asOperator();
    }

    @Test
    void withoutCredentialsEveryProtectedEndpointAsksForThem() {
        for (String path : new String[] {"/admin/dead-letters", "/admin/jobs/failed", "/admin/schemas", "/admin/intake",
                "/actuator/prometheus", "/actuator/metrics", "/actuator/hawtio/", "/actuator/jolokia/version",
                "/dashboard/"}) {
            HttpApi.Response response = anonymous.get(path);
            assertThat(response.status()).as(path).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).as(path).startsWith("Basic");
        }
        assertThat(anonymous.post("/admin/dead-letters/replay", "{\"topic\": \"x\"}").status()).isEqualTo(401);
        assertThat(anonymous.post("/actuator/jolokia", "{\"type\": \"version\"}").status()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThat(anonymous.as(servers().accounts().operator(), "not-the-password").get("/admin/intake").status())
                .isEqualTo(401);
        assertThat(anonymous.as("nobody", servers().accounts().operatorPassword()).get("/admin/intake").status())
                .isEqualTo(401);
    }

    @Test
    void healthProbesAndThePublicApiStayOpen() {
        for (String path : new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            HttpApi.Response response = anonymous.get(path);
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.json().get("status").asText()).as(path).isEqualTo("UP");
        }
        assertThat(anonymous.get("/api/events/" + UUID.randomUUID()).status()).as("public API: unknown id").isEqualTo(404);
    }

    @Test
    void viewerReadsListsAndMetricsButMayNotChangeAnything() {
        assertThat(viewer.get("/admin/dead-letters").status()).isEqualTo(200);
        assertThat(viewer.get("/admin/jobs/failed").status()).isEqualTo(200);
        HttpApi.Response scrape = viewer.get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.body()).contains("outbox_");

        assertThat(viewer.post("/admin/dead-letters/replay", "{\"topic\": \"kafka.none-" + unique() + "\"}").status())
                .isEqualTo(403);
        assertThat(viewer.post("/admin/jobs/failed/" + UUID.randomUUID() + "/retry", "").status()).isEqualTo(403);
        assertThat(viewer.send("DELETE", "/admin/jobs/recurring/nightly-" + unique(), null, null).status()).isEqualTo(403);
        assertThat(viewer.get("/actuator/hawtio/").status()).isEqualTo(403);
    }

    @Test
    void onlyAnOperatorReplaysADeadLetter() {
        BrokerProbe.Kind kind = BrokerProbe.Kind.RABBITMQ;
        String topic = consumeTopic(kind, "access-" + unique());
        String consumer = startConsumer(kind, topic);
        writer.write(scripted(topic, topic + "-agg", topic + ":refused", Map.of("permanent", true)));
        await("dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
        String id = viewer.get("/admin/dead-letters?topic=" + topic).json().get(0).get("id").asText();

        assertThat(viewer.post("/admin/dead-letters/" + id + "/replay", "").status()).isEqualTo(403);
        assertThat(operator.get("/admin/dead-letters/" + id).json().get("replayCount").asInt())
                .as("the viewer's refused replay changed nothing").isZero();

        HttpApi.Response replayed = operator.post("/admin/dead-letters/" + id + "/replay", "");
        assertThat(replayed.status()).isEqualTo(200);
        assertThat(replayed.json().get("replayCount").asInt()).as(replayed.body()).isEqualTo(1);
    }

    @Test
    void viewerCannotStopARouteThroughJolokiaButAnOperatorCan() throws Exception {
        BrokerProbe.Kind kind = BrokerProbe.Kind.RABBITMQ;
        String consumer = startConsumer(kind, consumeTopic(kind, "jolokia-" + unique()));
        Set<ObjectName> names = ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("org.apache.camel:type=routes,name=\"" + consumer + "\",*"), null);
        assertThat(names).hasSize(1);
        String stop = "{\"type\": \"exec\", \"mbean\": \"" + names.iterator().next().getCanonicalName().replace("\"", "\\\"")
                + "\", \"operation\": \"stop()\"}";

        assertThat(viewer.post("/actuator/jolokia", stop).status()).isEqualTo(403);
        assertThat(viewer.get("/actuator/jolokia/version").status()).isEqualTo(403);
        assertThat(camel.getRouteController().getRouteStatus(consumer).isStarted()).isTrue();

        HttpApi.Response stopped = operator.post("/actuator/jolokia", stop);
        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().get("status").asInt()).as(stopped.body()).isEqualTo(200);
        assertThat(camel.getRouteController().getRouteStatus(consumer).isStopped()).isTrue();
    }

    @Test
    void aChangeFromAnotherSitesPageIsRefusedEvenWithCredentials() {
        HttpApi.Response forged = operator.post("/admin/dead-letters/replay", "{\"topic\": \"kafka.none-" + unique() + "\"}",
                Map.of("Sec-Fetch-Site", "cross-site"));
        assertThat(forged.status()).isEqualTo(403);
        HttpApi.Response direct = operator.post("/admin/dead-letters/replay", "{\"topic\": \"kafka.none-" + unique() + "\"}");
        assertThat(direct.status()).isEqualTo(200);
        assertThat(direct.json().get("replayed").asInt()).isZero();
    }
}
