package dev.outboxrelay.api;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.NewJob;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.outbox.OutboxWriter;

/**
 * The reference application: how a team uses the outbox and the job queue from its own code. Creating
 * a user writes the user row, its {@code user.created} event and its welcome-notification job in one
 * transaction: all three exist, or none does.
 */
@Component
@ConditionalOnProperty(name = "outbox.intake.reference-users.enabled", havingValue = "true")
public class ReferenceUsers {

    /** The topic of the event every new user gets; its payload has a schema (schemas/user.created/v1.json). */
    public static final String USER_CREATED = "user.created";
    /** The queue of the welcome notifications. */
    public static final String WELCOME_QUEUE = "welcome-notification";

    private static final String INSERT = """
            INSERT INTO reference_users (id, email, name) VALUES (:id, :email, :name)
            """;
    private static final String FIND = """
            SELECT id, email, name, created_at, welcomed_at FROM reference_users WHERE id = :id
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final OutboxWriter outbox;
    private final JobQueue jobs;

    public ReferenceUsers(NamedParameterJdbcTemplate jdbc, OutboxWriter outbox, JobQueue jobs) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.jobs = jobs;
    }

    /** A created user, with the ids of its event and its welcome job. */
    public record CreatedUser(UUID id, UUID eventId, UUID welcomeJobId) {
    }

    /**
     * Creates a user. The event's payload is checked against its schema before anything is written, so a
     * bad email address refuses the whole request (and no user row is left behind).
     */
    @Transactional
    public CreatedUser create(String email, String name) {
        UUID id = UUID.randomUUID();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("userId", id.toString());
        payload.put("email", email);
        payload.put("name", name);
        UUID eventId = outbox.write(OutboxEvent.builder(USER_CREATED)
                .aggregateId(id.toString())
                .eventType("UserCreated")
                .payload(payload)
                .dedupeKey(USER_CREATED + ":" + id)
                .schemaVersion(1)
                .build()).id();
        // after the event, whose schema check names a bad field better than a constraint of the table would
        jdbc.update(INSERT, new MapSqlParameterSource("id", id).addValue("email", email).addValue("name", name));
        UUID jobId = jobs.enqueue(NewJob.builder(WELCOME_QUEUE)
                .payload(payload)
                .uniqueKey("welcome:" + id)
                .build()).id();
        return new CreatedUser(id, eventId, jobId);
    }

    /** A user as the status endpoint shows it. */
    public record User(UUID id, String email, String name, Instant createdAt, Instant welcomedAt, UUID welcomeJobId) {
    }

    public Optional<User> find(UUID id) {
        List<User> found = jdbc.query(FIND, new MapSqlParameterSource("id", id), (row, n) -> {
            Timestamp welcomed = row.getTimestamp("welcomed_at");
            return new User(row.getObject("id", UUID.class), row.getString("email"), row.getString("name"),
                    row.getTimestamp("created_at").toInstant(), welcomed == null ? null : welcomed.toInstant(),
                    jobs.idForKey(WELCOME_QUEUE, "welcome:" + id).orElse(null));
        });
        return found.stream().findFirst();
    }
}
