package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Camel's own route spans are switched off while nothing exports spans, and left as configured
 * otherwise. Runs a bare Spring application, so the post-processor is found the way the service finds
 * it (META-INF/spring.factories).
 */
class CamelRouteSpansTest {

    @Configuration(proxyBeanMethods = false)
    static class Bare {
    }

    @Test
    void withoutAnExporterCamelsTracerIsOff() {
        assertThat(enabled()).isEqualTo("false");
    }

    @Test
    void withAnOtlpEndpointCamelsTracerStaysOn() {
        assertThat(enabled("management.otlp.tracing.endpoint=http://collector:4318/v1/traces")).isNull();
    }

    @Test
    void anExplicitSettingWins() {
        assertThat(enabled("camel.opentelemetry.enabled=true")).isEqualTo("true");
    }

    private static String enabled(String... properties) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Bare.class)
                .web(WebApplicationType.NONE)
                .properties(properties)
                .run()) {
            return context.getEnvironment().getProperty(CamelRouteSpans.ENABLED);
        }
    }
}
