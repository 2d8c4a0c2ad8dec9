package dev.outboxrelay.consume;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The idempotent consumer's JDBC repository: one row per consumer and dedupe key in
 * {@code consumer_processed_keys}, primary key {@code (consumer, dedupe_key)}.
 *
 * <p>{@link #add(Exchange, String)} is a single {@code INSERT ... ON CONFLICT DO NOTHING} run in the
 * handler's transaction. It never raises a duplicate-key error, which on PostgreSQL would abort the
 * whole transaction, and a concurrent delivery of the same key on another consumer waits on the unique
 * index until the first transaction ends: if that one committed, this one sees a duplicate; if it rolled
 * back, this one goes ahead. So the key and the handler's writes commit together, once.
 *
 * <p>Nothing is removed on failure: a failed delivery's key is rolled back with its transaction, and a
 * delete could remove a key another consumer committed meanwhile.
 */
@Component("processedKeys")
public class ProcessedKeys extends ServiceSupport implements IdempotentRepository {

    private static final String INSERT = """
            INSERT INTO consumer_processed_keys (consumer, dedupe_key)
            VALUES (:consumer, :key)
            ON CONFLICT (consumer, dedupe_key) DO NOTHING
            """;
    // one statement for a whole Kafka batch; sorted, so two consumers inserting overlapping keys lock them
    // in the same order instead of deadlocking
    private static final String INSERT_ALL = """
            INSERT INTO consumer_processed_keys (consumer, dedupe_key)
            SELECT :consumer, key FROM unnest(CAST(:keys AS text[])) AS key ORDER BY key
            ON CONFLICT (consumer, dedupe_key) DO NOTHING
            RETURNING dedupe_key
            """;
    private static final String CONTAINS = """
            SELECT count(*) FROM consumer_processed_keys WHERE consumer = :consumer AND dedupe_key = :key
            """;

    private final NamedParameterJdbcTemplate jdbc;

    public ProcessedKeys(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        boolean added = jdbc.update(INSERT, params(exchange, key)) == 1;
        if (added) {
            exchange.removeProperty(ConsumedEvents.OUTCOME);
        } else {
            exchange.setProperty(ConsumedEvents.OUTCOME, ConsumedEvents.DUPLICATE);
        }
        return added;
    }

    /**
     * Records many keys of one consumer in the current transaction with one statement, as {@link #add}
     * does one; answers the keys that were new (a key given twice counts once).
     */
    Set<String> addAll(String consumer, Collection<String> keys) {
        MapSqlParameterSource params = new MapSqlParameterSource("consumer", consumer)
                .addValue("keys", keys.toArray(String[]::new));
        return new HashSet<>(jdbc.queryForList(INSERT_ALL, params, String.class));
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        Integer count = jdbc.queryForObject(CONTAINS, params(exchange, key), Integer.class);
        return count != null && count > 0;
    }

    /** Whether a consumer has processed a key; for operators and tests. */
    public boolean contains(String consumer, String key) {
        Integer count = jdbc.queryForObject(CONTAINS,
                new MapSqlParameterSource("consumer", consumer).addValue("key", key), Integer.class);
        return count != null && count > 0;
    }

    @Override
    public boolean remove(Exchange exchange, String key) {
        return false;
    }

    @Override
    public boolean confirm(Exchange exchange, String key) {
        return true;
    }

    private static MapSqlParameterSource params(Exchange exchange, String key) {
        return new MapSqlParameterSource("consumer", ConsumedEvents.event(exchange).consumer()).addValue("key", key);
    }

    // The repository is keyed by consumer, which only the exchange knows.

    @Override
    public boolean add(String key) {
        throw new UnsupportedOperationException("processed keys are per consumer: use add(exchange, key)");
    }

    @Override
    public boolean contains(String key) {
        throw new UnsupportedOperationException("processed keys are per consumer: use contains(exchange, key)");
    }

    @Override
    public boolean remove(String key) {
        return false;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("processed keys are kept until the retention purge");
    }
}
