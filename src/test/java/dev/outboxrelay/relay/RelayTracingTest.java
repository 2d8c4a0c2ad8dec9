package dev.outboxrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.Delivered;
import dev.outboxrelay.support.RelayTestSupport;

/**
 * An event written inside a trace is published in a relay span that is a child of the writer's span,
 * and the message carries the relay span's context, on every broker.
 */
class RelayTracingTest extends RelayTestSupport {

    @Autowired
    private OpenTelemetry openTelemetry;

    @Autowired
    private SdkTracerProvider tracerProvider;

    @Autowired
    private InMemorySpanExporter spans;

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS_FIFO", "RABBITMQ"})
    void publishContinuesTheWritersTraceAndHandsItToTheMessage(BrokerProbe.Kind kind) {
        try (BrokerProbe probe = BrokerProbe.open(kind, "trace-" + unique())) {
            Span checkout = openTelemetry.getTracer("test").spanBuilder("checkout").startSpan();
            try (Scope ignored = checkout.makeCurrent()) {
                writer.write(event(probe.topic(), "order-1", 0));
            } finally {
                checkout.end();
            }
            String traceId = checkout.getSpanContext().getTraceId();

            Delivered message = probe.read(1, Duration.ofSeconds(30)).get(0);
            String traceparent = message.header("traceparent");
            assertThat(traceparent).as("traceparent on the message").startsWith("00-" + traceId + "-");

            tracerProvider.forceFlush();
            String topic = probe.topic();
            await("relay span exported", Duration.ofSeconds(10), () -> publishSpans(topic).size() == 1);
            SpanData publish = publishSpans(topic).get(0);
            assertThat(publish.getTraceId()).isEqualTo(traceId);
            assertThat(publish.getParentSpanId()).as("child of the writer's span").isEqualTo(checkout.getSpanContext().getSpanId());
            assertThat(traceparent).as("the message carries the relay span").contains("-" + publish.getSpanId() + "-");
        }
    }

    private List<SpanData> publishSpans(String topic) {
        return spans.getFinishedSpanItems().stream().filter(span -> span.getName().equals("publish " + topic)).toList();
    }
}
