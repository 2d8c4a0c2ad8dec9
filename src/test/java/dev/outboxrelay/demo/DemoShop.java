package dev.outboxrelay.demo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.outbox.OutboxWriter;

/**
 * A tiny shop: placing an order inserts the order row and writes its three events in the same
 * transaction, the way an application uses the outbox.
 */
public class DemoShop {

    private static final Logger log = LoggerFactory.getLogger(DemoShop.class);

    private final JdbcTemplate jdbc;
    private final OutboxWriter outbox;
    private final AtomicLong placed = new AtomicLong();

    public DemoShop(JdbcTemplate jdbc, OutboxWriter outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        jdbc.execute("CREATE TABLE IF NOT EXISTS demo_orders (id text PRIMARY KEY, customer text NOT NULL, "
                + "total_cents integer NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())");
    }

    @Transactional
    public void placeOrder() {
        long number = placed.incrementAndGet();
        String orderId = "order-" + number;
        String customer = "customer-" + ThreadLocalRandom.current().nextInt(1, 20);
        int total = ThreadLocalRandom.current().nextInt(500, 20_000);
        jdbc.update("INSERT INTO demo_orders (id, customer, total_cents) VALUES (?, ?, ?)", orderId, customer, total);
        Map<String, Object> order = Map.of("orderId", orderId, "customer", customer, "totalCents", total);
        outbox.writeAll(List.of(
                OutboxEvent.builder("orders.placed").aggregateId(orderId).eventType("OrderPlaced")
                        .payload(order).dedupeKey(orderId + ":placed").build(),
                OutboxEvent.builder("payments.requested").aggregateId(customer).eventType("PaymentRequested")
                        .payload(order).dedupeKey(orderId + ":payment").build(),
                OutboxEvent.builder("mail.order-confirmation").aggregateId(customer).eventType("SendConfirmation")
                        .payload(Map.of("orderId", orderId, "to", customer + "@example.com"))
                        .dedupeKey(orderId + ":mail").build()));
        if (number % 20 == 0) {
            log.info("Placed {} orders", number);
        }
    }

    public long placed() {
        return placed.get();
    }
}
