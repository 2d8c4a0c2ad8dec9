package dev.outboxrelay.retention;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Deletes the records older than their retention age (route {@code retention-purge}). Each kind has
 * a statement in {@code sql/retention/<kind>.sql} that deletes at most one batch of its oldest expired
 * rows, found through an index on the age column, skipping rows other transactions hold; it runs in
 * autocommit, again and again until a batch comes back short. So no transaction lasts longer than
 * one batch, and neither the relay's claim nor a consumer ever waits for the purge.
 */
@Component("retentionPurge")
public class RetentionPurge {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final RetentionProperties properties;
    private final Map<String, String> statements = new LinkedHashMap<>();
    private final Map<String, Counter> purged = new LinkedHashMap<>();

    public RetentionPurge(NamedParameterJdbcTemplate jdbc, RetentionProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.properties = properties;
        for (String kind : properties.ages().keySet()) {
            statements.put(kind, read("sql/retention/" + kind + ".sql"));
            purged.put(kind, Counter.builder("outbox.retention.purged")
                    .description("Rows deleted by the retention purge")
                    .tag("kind", kind)
                    .register(meters));
        }
    }

    /** One purge run over every kind that has an age. */
    public List<Purged> purgeExpired() {
        List<Purged> results = new ArrayList<>();
        properties.ages().forEach((kind, age) -> {
            if (!age.isZero()) {
                results.add(purge(kind, age));
            }
        });
        if (results.stream().anyMatch(result -> result.rows() > 0)) {
            log.info("Retention purge deleted {}", results.stream().filter(result -> result.rows() > 0)
                    .map(result -> result.kind() + "=" + result.rows()).toList());
        }
        return results;
    }

    private Purged purge(String kind, Duration age) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("ageSeconds", age.toMillis() / 1000.0)
                .addValue("batchSize", properties.batchSize());
        long total = 0;
        int statementsRun = 0;
        long batch;
        do {
            Long count = jdbc.queryForObject(statements.get(kind), params, Long.class);
            batch = count == null ? 0 : count;
            total += batch;
            statementsRun++;
            purged.get(kind).increment(batch);
        } while (batch == properties.batchSize() && !Thread.currentThread().isInterrupted());
        return new Purged(kind, total, statementsRun);
    }

    private static String read(String path) {
        try {
            return new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("retention statement " + path + " is missing", e);
        }
    }
}
