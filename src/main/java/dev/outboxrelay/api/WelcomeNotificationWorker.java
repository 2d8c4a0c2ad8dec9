package dev.outboxrelay.api;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import dev.outboxrelay.jobs.Job;
import dev.outboxrelay.jobs.QueueWorker;

/**
 * The reference application's worker: sends a new user's welcome notification. A real application
 * calls its mail or push service here; the reference one logs the message and stamps the user's
 * welcomed_at. It is safe to repeat, as every job handler must be: a user already welcomed is left alone.
 */
@Component
@ConditionalOnProperty(name = "outbox.intake.reference-users.enabled", havingValue = "true")
public class WelcomeNotificationWorker implements QueueWorker {

    private static final Logger log = LoggerFactory.getLogger(WelcomeNotificationWorker.class);
    private static final String WELCOMED = """
            UPDATE reference_users SET welcomed_at = now() WHERE id = :id AND welcomed_at IS NULL
            """;

    private final NamedParameterJdbcTemplate jdbc;

    public WelcomeNotificationWorker(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String queue() {
        return ReferenceUsers.WELCOME_QUEUE;
    }

    @Override
    public void handle(Job job) {
        UUID userId = UUID.fromString(job.payload().path("userId").asText());
        if (jdbc.update(WELCOMED, new MapSqlParameterSource("id", userId)) > 0) {
            log.info("Welcome notification sent to {} <{}>", job.payload().path("name").asText(),
                    job.payload().path("email").asText());
        }
    }
}
