package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.Yaml;

import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.NewJob;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.HttpApi;

/**
 * The Grafana dashboard (config/grafana) and the Prometheus alert rules (config/prometheus) query only
 * metrics the service really exports, and the rules pass promtool's checks and unit tests.
 */
class MonitoringConfigTest extends ConsumerTestSupport {

    private static final Path DASHBOARD = Path.of("config/grafana/outbox-relay.json");
    private static final Path RULES = Path.of("config/prometheus/outbox-relay-rules.yml");
    private static final Path RULE_TESTS = Path.of("config/prometheus/outbox-relay-rules.test.yml");

    private static final Pattern METRIC = Pattern.compile("\\boutbox_[a-z0-9_]+");

    @LocalServerPort
    private int port;

    @Autowired
    private MetricsRefresh refresh;

    @Autowired
    private JobQueue jobs;

    @Test
    void everyDashboardAndAlertQueryUsesAMetricTheServiceExports() throws IOException {
        // a job in a queue no instance works on stays ready, so the job queue gauges have a queue to show
        String idleQueue = "monitoring-idle-" + unique();
        jobs.enqueue(NewJob.builder(idleQueue).build());
        Set<String> exported;
        try {
            makeEveryKindOfMetricAppear();
            HttpApi.Response scrape = new HttpApi(port).asViewer().get("/actuator/prometheus");
            assertThat(scrape.status()).isEqualTo(200);
            exported = seriesNames(scrape.body());
        } finally {
            jdbc.update("DELETE FROM job_queue WHERE queue = ?", idleQueue);
        }

        Set<String> queried = new TreeSet<>();
        dashboardQueries().forEach(query -> queried.addAll(metricsIn(query)));
        ruleQueries().forEach(query -> queried.addAll(metricsIn(query)));

        assertThat(queried).as("metrics the dashboard and rules query").contains("outbox_backlog",
                "outbox_relay_publish_latency_seconds_bucket", "outbox_relay_circuit_state", "outbox_parked");
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertThat(missing).as("queried but not exported").isEmpty();
    }

    @Test
    void everyPanelQueriesTheChosenPrometheusDataSource() throws IOException {
        JsonNode dashboard = json.readTree(DASHBOARD.toFile());
        JsonNode variables = dashboard.path("templating").path("list");
        assertThat(variables.findValuesAsText("name")).contains("datasource", "application");
        JsonNode datasource = variables.get(0);
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

        Set<Integer> ids = new HashSet<>();
        int queryPanels = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of " + panel.path("title")).isTrue();
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(panel.path("title").asText()).isLessThanOrEqualTo(24);
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            queryPanels++;
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as(panel.path("title").asText())
                        .contains("application=~\"$application\"");
            }
        }
        assertThat(queryPanels).isGreaterThanOrEqualTo(15);
    }

    @Test
    void alertRulesPassPromtoolsCheckAndTheirUnitTests() throws Exception {
        Optional<Path> promtool = onPath("promtool");
        // promtool ships with Prometheus (Debian: apt-get install prometheus); without it only the YAML is checked
        assertThat(ruleQueries()).isNotEmpty();
        assumeTrue(promtool.isPresent(), "promtool is not installed");
        assertThat(run(promtool.get().toString(), "check", "rules", RULES.toString())).contains("SUCCESS");
        assertThat(run(promtool.get().toString(), "test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
    }

    /** Relays, parks, handles and dead-letters an event, so every lazily registered meter exists. */
    private void makeEveryKindOfMetricAppear() {
        String topic = consumeTopic(BrokerProbe.Kind.RABBITMQ, "monitoring-" + unique());
        String consumer = startConsumer(BrokerProbe.Kind.RABBITMQ, topic);
        writer.write(scripted(topic, "agg-1", topic + ":ok", Map.of()));
        writer.write(scripted(topic, "agg-2", topic + ":poison", Map.of("alwaysFail", true)));
        String retired = "retired." + unique();
        jdbc.update("""
                INSERT INTO outbox_events (topic, aggregate_id, event_type, payload, dedupe_key)
                VALUES (?, ?, 'Retired', '{}', ?)""", retired, retired + "-agg", retired + ":1");

        await("handled", Duration.ofSeconds(30), () -> effects(consumer) == 1);
        await("dead-lettered", Duration.ofSeconds(30), () -> deadLetters(consumer) == 1);
        await("parked", Duration.ofSeconds(30), () ->
                count("SELECT count(*) FROM outbox_events WHERE topic = ? AND parked_at IS NOT NULL", retired) == 1);
        refresh.refreshNow();
    }

    @SuppressWarnings("unchecked")
    private static List<String> ruleQueries() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES));
        List<String> queries = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                assertThat(rule).as(String.valueOf(rule.get("alert"))).containsKeys("alert", "expr", "labels", "annotations");
                assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
                queries.add(String.valueOf(rule.get("expr")));
            }
        }
        return queries;
    }

    private List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = json.readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>(dashboard.findValuesAsText("expr"));
        queries.add(dashboard.path("templating").path("list").get(1).path("definition").asText());
        return queries;
    }

    private static Set<String> metricsIn(String query) {
        Set<String> names = new HashSet<>();
        Matcher matcher = METRIC.matcher(query);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    private static Set<String> seriesNames(String scrape) {
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static Optional<Path> onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(folder -> Path.of(folder, command))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
