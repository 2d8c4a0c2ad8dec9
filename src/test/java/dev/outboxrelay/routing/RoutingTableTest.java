package dev.outboxrelay.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private static RoutingTable table(RoutingProperties.Entry defaultRoute, RoutingProperties.Entry... routes) {
        return new RoutingTable(new RoutingProperties(List.of(routes), defaultRoute));
    }

    @Test
    void firstMatchingEntryWinsAndTheDefaultTakesTheRest() {
        RoutingTable table = table(new RoutingProperties.Entry(null, Broker.KAFKA, null),
                new RoutingProperties.Entry("payments.refunds", Broker.RABBITMQ, "refunds"),
                new RoutingProperties.Entry("payments.*", Broker.SQS, "payments.fifo"),
                new RoutingProperties.Entry("*.audit", Broker.KAFKA, "audit"));

        assertThat(table.resolve("payments.refunds")).contains(new Destination(Broker.RABBITMQ, "refunds"));
        assertThat(table.resolve("payments.captured")).contains(new Destination(Broker.SQS, "payments.fifo"));
        assertThat(table.resolve("orders.audit")).contains(new Destination(Broker.KAFKA, "audit"));
        assertThat(table.resolve("orders.created")).contains(new Destination(Broker.KAFKA, "orders.created"));
    }

    @Test
    void topicPlaceholderIsFilledAndMadeSafeForSqsQueueNames() {
        RoutingTable table = table(null,
                new RoutingProperties.Entry("mail.*", Broker.SQS, "{topic}.fifo"),
                new RoutingProperties.Entry("stream.*", Broker.KAFKA, "events-{topic}"));

        assertThat(table.resolve("mail.welcome")).contains(new Destination(Broker.SQS, "mail-welcome.fifo"));
        assertThat(table.resolve("stream.clicks")).contains(new Destination(Broker.KAFKA, "events-stream.clicks"));
        assertThat(table.resolve("other")).isEmpty();
    }

    @Test
    void everyBadEntryIsNamedInOneMessage() {
        assertThatThrownBy(() -> table(null,
                new RoutingProperties.Entry(null, Broker.KAFKA, null),
                new RoutingProperties.Entry("orders.*", null, null),
                new RoutingProperties.Entry("mail.*", Broker.SQS, "not a queue!"),
                new RoutingProperties.Entry("bad topic", Broker.KAFKA, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outbox.routing.routes[0].topic is required")
                .hasMessageContaining("outbox.routing.routes[1].broker is required (one of kafka, sqs, rabbitmq)")
                .hasMessageContaining("outbox.routing.routes[2].destination 'not a queue!' is not a valid SQS queue name")
                .hasMessageContaining("outbox.routing.routes[3].topic 'bad topic' may only hold");
    }
}
