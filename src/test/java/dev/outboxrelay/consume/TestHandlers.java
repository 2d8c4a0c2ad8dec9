package dev.outboxrelay.consume;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;

/** The handler the test profile maps to every {@code *consume-*} topic. */
@Configuration(proxyBeanMethods = false)
@Profile("test")
public class TestHandlers {

    @Bean
    ScriptedHandler scriptedHandler(JdbcTemplate jdbc, ObjectMapper json) {
        return new ScriptedHandler(jdbc, json);
    }

    /** Refuses schema versions from 90 on, as a schema registry refuses versions it does not know. */
    @Bean
    IncomingEventCheck refuseFutureSchemaVersions() {
        return event -> {
            if (event.schemaVersion() >= 90) {
                throw new PermanentEventException("schema version " + event.schemaVersion() + " of "
                        + event.topic() + " is not known here");
            }
        };
    }

    @Bean
    CompletedWork completedWork() {
        return new CompletedWork();
    }
}
