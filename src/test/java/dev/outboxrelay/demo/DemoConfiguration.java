package dev.outboxrelay.demo;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.outboxrelay.brokers.RabbitExchanges;
import dev.outboxrelay.outbox.OutboxWriter;

/** The demo's shop and report; only with the {@code demo} profile, so tests never run them. */
@Configuration(proxyBeanMethods = false)
@Profile("demo")
public class DemoConfiguration {

    @Bean
    DemoShop demoShop(JdbcTemplate jdbc, OutboxWriter outbox) {
        return new DemoShop(jdbc, outbox);
    }

    @Bean
    DemoWorkers demoWorkers(JdbcTemplate jdbc) {
        return new DemoWorkers(jdbc);
    }

    @Bean(destroyMethod = "close")
    DemoReport demoReport(JdbcTemplate jdbc, DemoShop shop, DemoWorkers workers, RabbitExchanges exchanges,
                          @Value("${camel.component.kafka.brokers}") String kafka,
                          @Value("${spring.rabbitmq.host}") String rabbitHost,
                          @Value("${spring.rabbitmq.port}") int rabbitPort) throws IOException, TimeoutException {
        return new DemoReport(jdbc, shop, workers, kafka, exchanges, rabbitHost, rabbitPort);
    }

    /** Four orders a second, and a report every five seconds. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService demoTraffic(DemoShop shop, DemoReport report) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        scheduler.scheduleAtFixedRate(shop::placeOrder, 2, 250, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(report::read, 2, 200, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(report::report, 5, 5, TimeUnit.SECONDS);
        return scheduler;
    }
}
