package dev.outboxrelay.completion;

import java.io.IOException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes completions to browsers over server-sent events. The {@code completion-stream} route follows
 * {@code work_completions} (every instance's completions, in commit order) and hands each new record
 * to {@link #dispatch}, which sends it to the subscribers whose filter it matches. The event id is the
 * record's seq: a browser that reconnects with {@code Last-Event-ID} first gets what it missed from the
 * table, then the live stream, with nothing lost or repeated in between.
 */
@Component("completionStream")
public class CompletionStream {

    private static final Logger log = LoggerFactory.getLogger(CompletionStream.class);

    private static final String MAX_SEQ = "SELECT coalesce(max(seq), 0) FROM work_completions";
    // Replays either everything after the client's last event or (for a subscription by id) the ids'
    // earlier completions, never past what the live stream has already dispatched.
    private static final String REPLAY = """
            SELECT seq, kind, work_id, topic, dedupe_key, outcome, detail, completed_at
            FROM work_completions
            WHERE seq > :after AND seq <= :upTo
              AND (CAST(:ids AS text[]) IS NULL OR work_id = ANY(CAST(:ids AS text[])))
            ORDER BY seq
            LIMIT :limit
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final CompletionsProperties properties;
    private final CompletionWakeScheduler wake;
    // guards position and the hand-over from replay to live dispatch
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private volatile long position = -1;

    public CompletionStream(NamedParameterJdbcTemplate jdbc, CompletionsProperties properties,
                            CompletionWakeScheduler wake, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.wake = wake;
        Gauge.builder("outbox.completions.subscribers", subscribers, List::size)
                .description("Open server-sent-event streams on this instance")
                .register(meters);
    }

    /** The last completion dispatched; the tail statement reads what came after it. */
    public long position() {
        if (position < 0) {
            lock.lock();
            try {
                if (position < 0) {
                    Long max = jdbc.getJdbcOperations().queryForObject(MAX_SEQ, Long.class);
                    position = max == null ? 0 : max;
                }
            } finally {
                lock.unlock();
            }
        }
        return position;
    }

    /** Whether any stream is open; while none is, the tail reads nothing. */
    public boolean listening() {
        return !subscribers.isEmpty();
    }

    /** Sends newly recorded completions, in seq order, to every subscriber that wants them. */
    public void dispatch(List<Map<String, Object>> rows) {
        lock.lock();
        try {
            for (Map<String, Object> row : rows) {
                Completion completion = toCompletion(row);
                if (completion.seq() <= position) {
                    continue;
                }
                position = completion.seq();
                for (Subscriber subscriber : subscribers) {
                    subscriber.offer(completion);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Opens a stream of the completions that match {@code filter}. With {@code lastEventId} the stream
     * starts with the matching completions recorded after that id; for a filter by id, with those ids'
     * earlier completions (so a client that subscribes just after submitting work cannot miss its end).
     */
    public SseEmitter subscribe(CompletionFilter filter, Long lastEventId) {
        SseEmitter emitter = new SseEmitter(properties.sseTimeout().toMillis());
        Subscriber subscriber = new Subscriber(emitter, filter);
        emitter.onCompletion(() -> subscribers.remove(subscriber));
        emitter.onTimeout(() -> {
            subscribers.remove(subscriber);
            emitter.complete();
        });
        emitter.onError(error -> subscribers.remove(subscriber));
        subscriber.greet(properties.reconnectDelay().toMillis());
        lock.lock();
        try {
            if (subscribers.isEmpty()) {
                // the tail stood still while no stream was open: what came meanwhile is only replayed
                // on request (Last-Event-ID, ids), as for any new stream, and the tail goes on from now
                position = -1;
            }
            long upTo = position();
            if (lastEventId != null || !filter.ids().isEmpty()) {
                List<Completion> missed = jdbc.query(REPLAY, new MapSqlParameterSource()
                        .addValue("after", lastEventId == null ? 0L : lastEventId)
                        .addValue("upTo", upTo)
                        .addValue("ids", filter.ids().isEmpty() ? null : filter.ids().toArray(String[]::new))
                        .addValue("limit", properties.replayLimit()), CompletionLog::toCompletion);
                missed.forEach(subscriber::offer);
            }
            if (subscriber.open) {
                subscribers.add(subscriber);
            }
        } finally {
            lock.unlock();
        }
        return emitter;
    }

    /** Writes a comment line to every stream, which keeps proxies from closing idle ones and finds dead ones. */
    public void heartbeat() {
        for (Subscriber subscriber : subscribers) {
            subscriber.heartbeat();
        }
    }

    /** Reads the table now instead of at the next poll. */
    public void wake() {
        wake.wake();
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    private static Completion toCompletion(Map<String, Object> row) {
        return new Completion(((Number) row.get("seq")).longValue(), (String) row.get("kind"),
                (String) row.get("work_id"), (String) row.get("topic"), (String) row.get("dedupe_key"),
                (String) row.get("outcome"), (String) row.get("detail"),
                ((Timestamp) row.get("completed_at")).toInstant());
    }

    private final class Subscriber {
        private final SseEmitter emitter;
        private final CompletionFilter filter;
        private volatile boolean open = true;

        Subscriber(SseEmitter emitter, CompletionFilter filter) {
            this.emitter = emitter;
            this.filter = filter;
        }

        void greet(long reconnectMillis) {
            send(SseEmitter.event().comment("completions").reconnectTime(reconnectMillis));
        }

        void offer(Completion completion) {
            if (open && filter.matches(completion)) {
                send(SseEmitter.event()
                        .id(Long.toString(completion.seq()))
                        .name("completion")
                        .data(completion, MediaType.APPLICATION_JSON));
            }
        }

        void heartbeat() {
            send(SseEmitter.event().comment("keep-alive"));
        }

        private synchronized void send(SseEmitter.SseEventBuilder event) {
            if (!open) {
                return;
            }
            try {
                emitter.send(event);
            } catch (IOException | IllegalStateException e) {
                // the client went away; it reconnects with Last-Event-ID if it still cares
                open = false;
                subscribers.remove(this);
                log.debug("Completion stream closed: {}", e.getMessage());
            }
        }
    }
}
