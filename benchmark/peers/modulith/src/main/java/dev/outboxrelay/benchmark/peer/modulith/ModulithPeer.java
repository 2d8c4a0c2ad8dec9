package dev.outboxrelay.benchmark.peer.modulith;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.modulith.events.EventExternalizationConfiguration;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.modulith.events.RoutingTarget;
import org.springframework.modulith.events.support.DelegatingEventExternalizer;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outboxrelay.benchmark.peer.CommitTimes;
import dev.outboxrelay.benchmark.peer.IdempotentConsumer;
import dev.outboxrelay.benchmark.peer.PacedProducer;
import dev.outboxrelay.benchmark.peer.Payloads;
import dev.outboxrelay.benchmark.peer.PeerControl;
import dev.outboxrelay.benchmark.peer.PeerSettings;

/**
 * Spring Modulith's event publication registry (JDBC, table {@code event_publication}) with Kafka
 * externalization. Events are published with {@link ApplicationEventPublisher} inside the producer's
 * transaction, which stores one publication row; after commit Modulith's asynchronous module listener
 * sends it to Kafka and marks the row completed when the send is acknowledged. So the producer runs in
 * this process ({@code produce} command); a backlog is drained by resubmitting incomplete publications
 * ({@code resubmit} command), as a Modulith application does at start-up or from a scheduled job.
 */
@SpringBootApplication
public class ModulithPeer {

    public static void main(String[] args) {
        PeerSettings settings = PeerSettings.fromSystemProperties();
        ConfigurableApplicationContext context = SpringApplication.run(ModulithPeer.class, args);
        if (settings.consumes()) {
            new IdempotentConsumer(settings).start();
        }
        ApplicationEventPublisher events = context;
        TransactionTemplate transactions = context.getBean(TransactionTemplate.class);
        IncompleteEventPublications incomplete = context.getBean(IncompleteEventPublications.class);
        PeerControl.ready();
        PeerControl.serve(Map.of(
                "resubmit", arguments -> {
                    incomplete.resubmitIncompletePublications(publication -> true);
                    return "RESUBMITTED";
                },
                // produce <first> <count> <per-transaction> <rate> <workers> <deadline-ms> <commit-times-file>
                "produce", arguments -> {
                    CommitTimes times = PacedProducer.run(Long.parseLong(arguments[0]), Integer.parseInt(arguments[1]),
                            Integer.parseInt(arguments[2]), Double.parseDouble(arguments[3]),
                            Integer.parseInt(arguments[4]), Long.parseLong(arguments[5]),
                            (worker, first, count) -> transactions.executeWithoutResult(status -> {
                                for (long n = first; n < first + count; n++) {
                                    events.publishEvent(new BenchEvent(n, Payloads.aggregate(n, settings.aggregates()),
                                            "x".repeat(Payloads.FILLER)));
                                }
                            }));
                    times.write(Path.of(arguments[6]));
                    return "PRODUCED " + times.written();
                }));
    }

    @Bean
    EventExternalizationConfiguration externalization() {
        String topic = PeerSettings.fromSystemProperties().topic();
        return EventExternalizationConfiguration.externalizing()
                .select(event -> event instanceof BenchEvent)
                .route(BenchEvent.class, event -> RoutingTarget.forTarget(topic).andKey(event.aggregate()))
                .build();
    }

    /** What spring-modulith-events-kafka contributes: Modulith's externalizer, sending with the KafkaTemplate. */
    @Bean
    DelegatingEventExternalizer kafkaEventExternalizer(EventExternalizationConfiguration configuration,
                                                       KafkaTemplate<Object, Object> kafka) {
        return new DelegatingEventExternalizer(configuration,
                (target, payload) -> kafka.send(target.getTarget(), target.getKey(), payload));
    }
}
