package dev.outboxrelay.support;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Keeps every finished span in memory, next to the configured exporters, for the tracing tests. */
@TestConfiguration(proxyBeanMethods = false)
public class TestTracing {

    @Bean
    InMemorySpanExporter inMemorySpanExporter() {
        return InMemorySpanExporter.create();
    }
}
