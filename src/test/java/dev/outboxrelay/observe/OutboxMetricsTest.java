package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.support.HttpApi;
import dev.outboxrelay.support.RelayTestSupport;

/** The Prometheus endpoint reports the backlog, the oldest waiting event's age and the parked events the database holds. */
class OutboxMetricsTest extends RelayTestSupport {

    @LocalServerPort
    private int port;

    @Autowired
    private OutboxMetrics metrics;

    @Test
    void prometheusShowsBacklogAgeAndParkedAsTheDatabaseHoldsThem() throws Exception {
        String topic = "kafka.metrics-" + unique();
        camel.getRouteController().stopRoute("outbox-relay");
        try {
            for (int n = 0; n < 5; n++) {
                writer.write(event(topic, topic + "-agg-" + n, 0));
            }
            jdbc.update("UPDATE outbox_events SET parked_at = now(), created_at = now() - interval '90 seconds' "
                    + "WHERE topic = ? AND aggregate_id = ?", topic, topic + "-agg-0");
            jdbc.update("UPDATE outbox_events SET created_at = now() - interval '60 seconds' "
                    + "WHERE topic = ? AND aggregate_id = ?", topic, topic + "-agg-1");
            metrics.refresh();

            HttpApi.Response response = new HttpApi(port).asViewer().get("/actuator/prometheus");
            assertThat(response.status()).isEqualTo(200);
            String scrape = response.body();

            assertThat(scrape).as("scrape").contains("outbox_backlog");
            assertThat(value(scrape, "outbox_backlog", topic)).isEqualTo(4.0);
            assertThat(value(scrape, "outbox_parked", topic)).isEqualTo(1.0);
            assertThat(value(scrape, "outbox_oldest_unpublished_age_seconds", topic)).isBetween(59.0, 120.0);
        } finally {
            camel.getRouteController().startRoute("outbox-relay");
        }
        awaitAllUnparkedPublished(topic);
        metrics.refresh();
        assertThat(metrics.snapshot().get(topic).backlog()).isZero();
        assertThat(metrics.snapshot().get(topic).parked()).isOne();
    }

    private void awaitAllUnparkedPublished(String topic) {
        await("unparked events published", java.time.Duration.ofSeconds(30), () -> count(
                "SELECT count(*) FROM outbox_events WHERE topic = ? AND published_at IS NULL AND parked_at IS NULL",
                topic) == 0);
    }

    private static double value(String scrape, String metric, String topic) {
        Matcher matcher = Pattern.compile("(?m)^" + metric + "\\{[^}]*topic=\"" + Pattern.quote(topic)
                + "\"[^}]*} ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(matcher.find()).as("%s for %s in the scrape", metric, topic).isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
