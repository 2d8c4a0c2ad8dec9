package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;

import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;
import dev.outboxrelay.support.TcpProxy;

/**
 * The probes mean something: readiness is up only while the database answers and Camel runs its
 * routes, liveness stays up through both faults (restarting the process would not cure either). An
 * instance of its own reaches PostgreSQL through a TCP proxy that the test cuts.
 */
class ProbesTest extends RelayTestSupport {

    @Test
    void readinessFollowsTheDatabaseAndCamelWhileLivenessStaysUp() {
        String url = servers().postgres().jdbcUrl();
        URI database = URI.create(url.substring("jdbc:".length()));
        try (TcpProxy link = TcpProxy.start(database.getPort());
             RelayInstance instance = RelayInstance.start("probes-" + unique(), Map.of(
                     // a health check must not wait long for a connection that cannot come, nor for an
                     // answer on a connection whose other end is gone
                     "spring.datasource.url", url.replace(":" + database.getPort() + "/", ":" + link.port() + "/")
                             + "?connectTimeout=2&socketTimeout=5",
                     "spring.datasource.hikari.connection-timeout", "1000",
                     "spring.datasource.hikari.validation-timeout", "1000",
                     "outbox.relay.enabled", "false",
                     "outbox.consume.enabled", "false",
                     "outbox.jobs.enabled", "false"))) {
            HealthEndpoint health = instance.bean(HealthEndpoint.class);
            assertThat(probe(health, "readiness")).isEqualTo(Status.UP);

            link.cut();
            await("readiness down without the database", Duration.ofSeconds(30),
                    () -> !Status.UP.equals(probe(health, "readiness")));
            assertThat(probe(health, "liveness")).isEqualTo(Status.UP);

            link.restore();
            await("ready again once the database answers", Duration.ofSeconds(20),
                    () -> Status.UP.equals(probe(health, "readiness")));

            instance.camel().suspend();
            assertThat(probe(health, "readiness")).as("Camel suspended").isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(probe(health, "liveness")).isEqualTo(Status.UP);
            instance.camel().resume();
            assertThat(probe(health, "readiness")).isEqualTo(Status.UP);
        }
    }

    private static Status probe(HealthEndpoint health, String group) {
        return health.healthForPath(group).getStatus();
    }
}
