package dev.outboxrelay.demo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.outboxrelay.consume.ConsumedEvent;
import dev.outboxrelay.consume.EventHandler;

/**
 * The demo's handler for all three topics: records each handled event in {@code demo_handled}, in the
 * consumer's transaction, the way an application handler writes its effect.
 */
public class DemoWorkers implements EventHandler {

    private final JdbcTemplate jdbc;
    private final Map<String, AtomicLong> handled = new ConcurrentHashMap<>();

    public DemoWorkers(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("CREATE TABLE IF NOT EXISTS demo_handled (consumer text NOT NULL, dedupe_key text NOT NULL, "
                + "handled_at timestamptz NOT NULL DEFAULT now())");
    }

    @Override
    public void handle(ConsumedEvent event) {
        jdbc.update("INSERT INTO demo_handled (consumer, dedupe_key) VALUES (?, ?)", event.consumer(), event.dedupeKey());
        handled.computeIfAbsent(event.consumer(), key -> new AtomicLong()).incrementAndGet();
    }

    /** Handled by a consumer in this run (committed or about to be). */
    public long handled(String consumer) {
        AtomicLong count = handled.get(consumer);
        return count == null ? 0 : count.get();
    }
}
