package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.yaml.snakeyaml.Yaml;

import dev.outboxrelay.support.HttpApi;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * The Kubernetes manifests in config/k8s: KEDA's PostgreSQL queries count what the relay and the job
 * workers have still to do on the real schema, every ScaledObject scales a Deployment of the folder with
 * authentication it defines, the Kafka, SQS and RabbitMQ triggers watch the consumers the ConfigMap
 * configures, and the probes answer on the service.
 */
class ScalingManifestsTest extends RelayTestSupport {

    private static final Path FOLDER = Path.of("config/k8s");

    @LocalServerPort
    private int port;

    @Autowired
    private PlatformTransactionManager transactions;

    @Test
    void relayScalerCountsDueEventsNeitherPublishedNorParked() {
        String query = postgresQuery("outbox-relay", "outbox_events");
        String topic = "kafka.scaling-" + unique();
        // one snapshot for the whole check, rolled back: the relay never sees these rows, and events of
        // other tests cannot change the count in between
        inSnapshot(() -> {
            long before = jdbc.queryForObject(query, Long.class);
            for (int n = 0; n < 3; n++) {
                insertEvent(topic, n, "");
            }
            insertEvent(topic, 3, ", available_at = now() + interval '1 hour'");
            insertEvent(topic, 4, ", parked_at = now(), attempts = 3");
            insertEvent(topic, 5, ", published_at = now()");
            assertThat(jdbc.queryForObject(query, Long.class) - before).as("the three due events").isEqualTo(3);
        });
    }

    @Test
    void workerScalerCountsJobsAWorkerCouldClaimNow() {
        String query = postgresQuery("outbox-workers", "job_queue");
        String queue = "scaling-" + unique();
        inSnapshot(() -> {
            long before = jdbc.queryForObject(query, Long.class);
            insertJob(queue, "");
            insertJob(queue, "");
            insertJob(queue, ", lease_owner = 'elsewhere', lease_until = now() - interval '1 minute'");
            insertJob(queue, ", run_at = now() + interval '1 hour'");
            insertJob(queue, ", lease_owner = 'elsewhere', lease_until = now() + interval '1 minute'");
            insertJob(queue, ", attempts = 5, max_attempts = 5");
            assertThat(jdbc.queryForObject(query, Long.class) - before)
                    .as("two new jobs and one whose worker's lease ran out").isEqualTo(3);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyScaledObjectScalesADeploymentOfTheFolderWithAuthenticationItDefines() throws IOException {
        List<Map<String, Object>> all = manifests();
        Set<String> deployments = names(all, "Deployment");
        Set<String> authentications = names(all, "TriggerAuthentication");
        List<Map<String, Object>> scaled = ofKind(all, "ScaledObject");
        assertThat(deployments).containsExactlyInAnyOrder("outbox-relay", "outbox-workers");
        assertThat(scaled).hasSize(2);

        Set<String> triggerTypes = new HashSet<>();
        for (Map<String, Object> object : scaled) {
            Map<String, Object> spec = (Map<String, Object>) object.get("spec");
            assertThat(deployments).contains((String) ((Map<String, Object>) spec.get("scaleTargetRef")).get("name"));
            for (Map<String, Object> trigger : (List<Map<String, Object>>) spec.get("triggers")) {
                triggerTypes.add((String) trigger.get("type"));
                String auth = (String) ((Map<String, Object>) trigger.get("authenticationRef")).get("name");
                assertThat(authentications).as(trigger.get("type") + " authentication").contains(auth);
            }
        }
        assertThat(triggerTypes).containsExactlyInAnyOrder("postgresql", "kafka", "aws-sqs-queue", "rabbitmq");
        for (Map<String, Object> auth : ofKind(all, "TriggerAuthentication")) {
            for (Map<String, Object> ref : (List<Map<String, Object>>) ((Map<String, Object>) auth.get("spec")).get("secretTargetRef")) {
                assertThat(ref.get("name")).isEqualTo("outbox-relay-secrets");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void brokerTriggersWatchTheConsumersTheConfigMapConfigures() throws IOException {
        List<Map<String, Object>> all = manifests();
        Map<String, Object> data = (Map<String, Object>) ofKind(all, "ConfigMap").get(0).get("data");
        Map<String, Object> settings = new Yaml().load((String) data.get("application.yaml"));
        List<Map<String, Object>> consumers = (List<Map<String, Object>>)
                ((Map<String, Object>) ((Map<String, Object>) settings.get("outbox")).get("consume")).get("consumers");
        Map<String, Object> workers = (Map<String, Object>) scaledObject(all, "outbox-workers").get("spec");
        for (Map<String, Object> trigger : (List<Map<String, Object>>) workers.get("triggers")) {
            Map<String, Object> metadata = (Map<String, Object>) trigger.get("metadata");
            switch ((String) trigger.get("type")) {
                // a Kafka consumer's group is its name
                case "kafka" -> assertThat(consumers).anySatisfy(consumer -> {
                    assertThat(consumer).containsEntry("broker", "kafka").containsEntry("name", metadata.get("consumerGroup"));
                    assertThat((List<String>) consumer.get("topics")).contains((String) metadata.get("topic"));
                });
                case "aws-sqs-queue" -> assertThat(consumers).anySatisfy(consumer -> {
                    assertThat(consumer).containsEntry("broker", "sqs");
                    assertThat((String) metadata.get("queueURL")).endsWith("/" + consumer.get("queue"));
                });
                // a RabbitMQ consumer's queue defaults to its name
                case "rabbitmq" -> assertThat(consumers).anySatisfy(consumer -> {
                    assertThat(consumer).containsEntry("broker", "rabbitmq");
                    assertThat(metadata.get("queueName")).isEqualTo(consumer.getOrDefault("queue", consumer.get("name")));
                });
                default -> assertThat(trigger.get("type")).isEqualTo("postgresql");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void deploymentsSplitRolesRunAsNonRootAndProbePathsTheServiceAnswers() throws IOException {
        HttpApi api = new HttpApi(port);
        for (Map<String, Object> deployment : ofKind(manifests(), "Deployment")) {
            String name = (String) ((Map<String, Object>) deployment.get("metadata")).get("name");
            Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>)
                    ((Map<String, Object>) deployment.get("spec")).get("template")).get("spec");
            assertThat((Map<String, Object>) pod.get("securityContext")).as(name).containsEntry("runAsNonRoot", true);
            Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
            assertThat((Map<String, Object>) container.get("resources")).as(name).containsKeys("requests", "limits");

            Map<String, String> roles = ((List<Map<String, Object>>) container.get("env")).stream()
                    .filter(variable -> variable.containsKey("value"))
                    .collect(Collectors.toMap(variable -> (String) variable.get("name"), variable -> (String) variable.get("value")));
            boolean relay = name.equals("outbox-relay");
            assertThat(roles).as(name)
                    .containsEntry("OUTBOX_RELAY_ENABLED", String.valueOf(relay))
                    .containsEntry("OUTBOX_CONSUME_ENABLED", String.valueOf(!relay))
                    .containsEntry("OUTBOX_JOBS_ENABLED", String.valueOf(!relay));

            String readiness = probePath(container, "readinessProbe");
            String liveness = probePath(container, "livenessProbe");
            assertThat(readiness).isEqualTo("/actuator/health/readiness");
            assertThat(liveness).isEqualTo("/actuator/health/liveness");
            assertThat(api.get(readiness).status()).as(readiness).isEqualTo(200);
            assertThat(api.get(liveness).status()).as(liveness).isEqualTo(200);
        }
    }

    private void inSnapshot(Runnable check) {
        TransactionTemplate snapshot = new TransactionTemplate(transactions);
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.executeWithoutResult(status -> {
            check.run();
            status.setRollbackOnly();
        });
    }

    private void insertEvent(String topic, int n, String extraSet) {
        String dedupeKey = topic + ":" + n;
        jdbc.update("""
                INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                VALUES (?, ?, 'Scaled', '{}', ?)""", topic, topic + "-agg-" + n, dedupeKey);
        if (!extraSet.isEmpty()) {
            jdbc.update("UPDATE outbox_events SET " + extraSet.substring(2) + " WHERE dedupe_key = ?", dedupeKey);
        }
    }

    private void insertJob(String queue, String extraSet) {
        String id = UUID.randomUUID().toString();
        jdbc.update("INSERT INTO job_queue (id, queue) VALUES (CAST(? AS uuid), ?)", id, queue);
        if (!extraSet.isEmpty()) {
            jdbc.update("UPDATE job_queue SET " + extraSet.substring(2) + " WHERE id = CAST(? AS uuid)", id);
        }
    }

    /** The query of the ScaledObject's postgresql trigger that reads the table. */
    @SuppressWarnings("unchecked")
    private String postgresQuery(String scaledObject, String table) {
        try {
            Map<String, Object> spec = (Map<String, Object>) scaledObject(manifests(), scaledObject).get("spec");
            return ((List<Map<String, Object>>) spec.get("triggers")).stream()
                    .filter(trigger -> "postgresql".equals(trigger.get("type")))
                    .map(trigger -> (String) ((Map<String, Object>) trigger.get("metadata")).get("query"))
                    .filter(query -> query.contains(" " + table + " "))
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static String probePath(Map<String, Object> container, String probe) {
        return (String) ((Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet")).get("path");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> scaledObject(List<Map<String, Object>> all, String name) {
        return ofKind(all, "ScaledObject").stream()
                .filter(object -> name.equals(((Map<String, Object>) object.get("metadata")).get("name")))
                .findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Set<String> names(List<Map<String, Object>> all, String kind) {
        return ofKind(all, kind).stream()
                .map(manifest -> (String) ((Map<String, Object>) manifest.get("metadata")).get("name"))
                .collect(Collectors.toSet());
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> all, String kind) {
        return all.stream().filter(manifest -> kind.equals(manifest.get("kind"))).toList();
    }

    /** Every document of every YAML file in the folder. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> manifests() throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(FOLDER)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    all.add((Map<String, Object>) document);
                }
            }
        }
        return all;
    }
}
