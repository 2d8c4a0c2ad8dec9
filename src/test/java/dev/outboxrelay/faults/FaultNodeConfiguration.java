package dev.outboxrelay.faults;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;

/** The handler of the fault-injection suite's consumer processes (profile {@code faults}). */
@Configuration(proxyBeanMethods = false)
@Profile("faults")
public class FaultNodeConfiguration {

    @Bean
    FaultEffects faultEffects(JdbcTemplate jdbc, ObjectMapper json,
                              @Value("${outbox.relay.instance-id}") String node,
                              @Value("${outbox.faults.handler-pause:2ms}") Duration pause) {
        return new FaultEffects(jdbc, json, node, pause);
    }
}
