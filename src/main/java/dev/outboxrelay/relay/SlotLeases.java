package dev.outboxrelay.relay;

import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Shares the outbox's 64 slots fairly between the running relay instances.
 *
 * <p>Every event hashes by aggregate to a slot, and only the instance leasing a slot claims its
 * events: that is what keeps one aggregate's events in order when several instances run. Each
 * heartbeat renews this instance's leases, gives back slots above its fair share and takes free
 * or expired ones up to it. A crashed instance's slots expire after {@code outbox.relay.slots.ttl}
 * and move to the others. An instance whose relay route is stopped holds no slots, so stopping the
 * route on one instance hands its work to the rest. A slot never moves while a batch of its owner is
 * open (see {@code ACQUIRE}).
 */
@Component("slotLeases")
public class SlotLeases implements SmartLifecycle {

    static final String RELAY_ROUTE = "outbox-relay";
    private static final Logger log = LoggerFactory.getLogger(SlotLeases.class);

    private static final String REGISTER = """
            INSERT INTO relay_instances (instance_id, last_seen, active)
            VALUES (:owner, now(), :active)
            ON CONFLICT (instance_id) DO UPDATE SET last_seen = now(), active = :active
            """;
    private static final String LIVE_INSTANCES = """
            SELECT count(*) FROM relay_instances
            WHERE active AND last_seen > now() - make_interval(secs => :ttl)
            """;
    private static final String SLOT_COUNT = "SELECT count(*) FROM relay_slots";
    private static final String RENEW = """
            UPDATE relay_slots SET lease_until = now() + make_interval(secs => :ttl)
            WHERE owner = :owner
            RETURNING slot
            """;
    private static final String RELEASE = """
            UPDATE relay_slots SET owner = NULL, lease_until = NULL
            WHERE owner = :owner AND slot = ANY(CAST(:slots AS smallint[]))
            """;
    private static final String RELEASE_ALL = """
            UPDATE relay_slots SET owner = NULL, lease_until = NULL WHERE owner = :owner
            """;
    // The only statement that moves a slot to this instance. FOR UPDATE SKIP LOCKED passes over a slot
    // while a batch of its owner is open (the claim locks its slots FOR KEY SHARE until the batch ends),
    // even when the owner's lease ran out or it gave the slot back: the slot cannot change hands while
    // its events are being sent. Renewing and giving back are plain updates, which that lock lets through.
    private static final String ACQUIRE = """
            UPDATE relay_slots SET owner = :owner, lease_until = now() + make_interval(secs => :ttl)
            WHERE slot IN (SELECT slot FROM relay_slots
                           WHERE owner IS NULL OR lease_until < now()
                           ORDER BY slot
                           LIMIT :wanted
                           FOR UPDATE SKIP LOCKED)
            RETURNING slot
            """;
    private static final String LEAVE = """
            UPDATE relay_instances SET active = false, last_seen = now() WHERE instance_id = :owner
            """;
    private static final String FORGET_GONE = """
            DELETE FROM relay_instances WHERE last_seen < now() - interval '1 day'
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final RelayClaim claim;
    private final OutboxWakeScheduler scheduler;
    // looked up lazily: a bean that pulls in the CamelContext while the application context is still
    // being built can make Camel start before camel-spring-boot has loaded the route files
    private final ObjectProvider<CamelContext> camel;
    private final double ttlSeconds;
    private volatile int owned;
    private volatile boolean running;
    private int slotCount;
    private long beats;

    public SlotLeases(NamedParameterJdbcTemplate jdbc, RelayClaim claim, OutboxWakeScheduler scheduler,
                      ObjectProvider<CamelContext> camel, RelayProperties properties) {
        this.jdbc = jdbc;
        this.claim = claim;
        this.scheduler = scheduler;
        this.camel = camel;
        this.ttlSeconds = properties.slots().ttl().toMillis() / 1000.0;
    }

    /** One heartbeat: renew, then give back or take slots to reach this instance's fair share. */
    public synchronized void heartbeat() {
        boolean active = relayRouteStarted();
        MapSqlParameterSource params = new MapSqlParameterSource("owner", claim.owner())
                .addValue("active", active)
                .addValue("ttl", ttlSeconds);
        jdbc.update(REGISTER, params);
        if (!active) {
            int released = jdbc.update(RELEASE_ALL, params);
            if (released > 0) {
                log.info("Relay route is not running: released {} slot(s) to the other instances", released);
            }
            owned = 0;
            return;
        }
        if (slotCount == 0) {
            slotCount = jdbc.getJdbcOperations().queryForObject(SLOT_COUNT, Integer.class);
        }
        Integer liveCount = jdbc.queryForObject(LIVE_INSTANCES, params, Integer.class);
        int live = Math.max(1, liveCount == null ? 1 : liveCount);
        int share = (slotCount + live - 1) / live;
        List<Integer> mine = jdbc.queryForList(RENEW, params, Integer.class);
        int count = mine.size();
        if (count > share) {
            List<Integer> extra = mine.stream().sorted().skip(share).toList();
            jdbc.update(RELEASE, new MapSqlParameterSource(params.getValues())
                    .addValue("slots", extra.stream().map(Integer::shortValue).toArray(Short[]::new)));
            count -= extra.size();
            log.info("Gave back {} slot(s) to rebalance over {} instance(s)", extra.size(), live);
        } else if (count < share) {
            List<Integer> taken = jdbc.queryForList(ACQUIRE,
                    new MapSqlParameterSource(params.getValues()).addValue("wanted", share - count), Integer.class);
            if (!taken.isEmpty()) {
                count += taken.size();
                log.info("Took {} slot(s); now relaying {} of {} over {} instance(s)",
                        taken.size(), count, slotCount, live);
                scheduler.wake();
            }
        }
        owned = count;
        if (++beats % 1000 == 0) {
            jdbc.getJdbcOperations().update(FORGET_GONE);
        }
    }

    private boolean relayRouteStarted() {
        return running && camel.getObject().getRouteController().getRouteStatus(RELAY_ROUTE) == ServiceStatus.Started;
    }

    /** Slots this instance held after its last heartbeat. */
    public int ownedSlots() {
        return owned;
    }

    @Override
    public void start() {
        running = true;
    }

    /** On shutdown the slots go back at once, so the other instances need not wait for them to expire. */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            MapSqlParameterSource params = new MapSqlParameterSource("owner", claim.owner());
            jdbc.update(RELEASE_ALL, params);
            jdbc.update(LEAVE, params);
            owned = 0;
        } catch (RuntimeException e) {
            log.warn("Could not give back relay slots on shutdown; they expire by themselves: {}", e.getMessage());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stop after the Camel context (which stops at a higher phase), before the data source closes
        return 0;
    }
}
