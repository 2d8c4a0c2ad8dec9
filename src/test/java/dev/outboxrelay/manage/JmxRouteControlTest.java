package dev.outboxrelay.manage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;

/**
 * Operators stop, start, suspend and resume the relay and consumer routes through JMX (the MBeans
 * Hawtio shows) while events flow: every event still reaches the handler, and its effect is applied
 * exactly once.
 */
class JmxRouteControlTest extends ConsumerTestSupport {

    private static final int EVENTS = 600;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "RABBITMQ"})
    void stoppingStartingAndSuspendingRoutesMidStreamLosesAndDuplicatesNoEffect(BrokerProbe.Kind kind) throws Exception {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName relay = route(jmx, "outbox-relay");
        ObjectName consuming = route(jmx, consumer);
        try {
            for (int round = 0; round < 6; round++) {
                List<OutboxEvent> events = new ArrayList<>();
                for (int n = 0; n < EVENTS / 6; n++) {
                    int i = round * (EVENTS / 6) + n;
                    events.add(scripted(topic, topic + "-agg-" + (i % 20), topic + ":" + i, Map.of()));
                }
                writer.writeAll(events);
                Thread.sleep(100);
                switch (round % 3) {
                    case 0 -> {
                        jmx.invoke(relay, "stop", null, null);
                        jmx.invoke(relay, "start", null, null);
                    }
                    case 1 -> {
                        jmx.invoke(consuming, "suspend", null, null);
                        Thread.sleep(200);
                        jmx.invoke(consuming, "resume", null, null);
                    }
                    default -> {
                        jmx.invoke(relay, "suspend", null, null);
                        jmx.invoke(consuming, "stop", null, null);
                        Thread.sleep(200);
                        jmx.invoke(consuming, "start", null, null);
                        jmx.invoke(relay, "resume", null, null);
                    }
                }
            }
            await("every event handled", Duration.ofSeconds(90), () -> effects(consumer) >= EVENTS);
            Thread.sleep(1000);

            assertThat(effects(consumer)).as("effects").isEqualTo(EVENTS);
            assertThat(count("SELECT count(DISTINCT dedupe_key) FROM test_effects WHERE consumer = ?", consumer))
                    .as("each event's effect once").isEqualTo(EVENTS);
        } finally {
            for (ObjectName name : List.of(relay, consuming)) {
                String state = String.valueOf(jmx.getAttribute(name, "State"));
                if (state.equals("Suspended")) {
                    jmx.invoke(name, "resume", null, null);
                } else if (!state.equals("Started")) {
                    jmx.invoke(name, "start", null, null);
                }
            }
        }
    }

    private ObjectName route(MBeanServer jmx, String routeId) throws Exception {
        Set<ObjectName> names = jmx.queryNames(new ObjectName("org.apache.camel:type=routes,name=\"" + routeId + "\",*"), null);
        String context = camel.getManagementName();
        return names.stream().filter(name -> name.getKeyProperty("context").equals(context)).findFirst()
                .orElseThrow(() -> new AssertionError("no MBean for route " + routeId + " in " + names));
    }
}
