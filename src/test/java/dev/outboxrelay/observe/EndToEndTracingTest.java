package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.apache.camel.CamelContext;
import org.apache.camel.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.HttpApi;

/**
 * One trace from the HTTP request to the handler, on each broker: the request's server span, the
 * relay's publish span below it, the consumer's span below that, and the handler running inside it.
 */
class EndToEndTracingTest extends ConsumerTestSupport {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @LocalServerPort
    private int port;

    @Autowired
    private SdkTracerProvider tracerProvider;

    @Autowired
    private InMemorySpanExporter spans;

    @Autowired
    private ApplicationContext context;

    @Autowired
    private CamelContext camel;

    /**
     * The tests export to memory, not over OTLP, so Camel's own tracer is off (CamelRouteSpans): no
     * tracer bean, no tracing route policy on the running routes. The trace above holds without it.
     */
    @Test
    void camelsOwnTracerIsOffWhileNoSpansAreExportedOverOtlp() {
        assertThat(context.getBeanNamesForType(Tracer.class)).isEmpty();
        assertThat(camel.getRoutePolicyFactories()).noneMatch(Tracer.class::isInstance);
        assertThat(camel.getRoutes()).isNotEmpty().allSatisfy(route ->
                assertThat(route.getRoutePolicyList()).noneMatch(policy -> policy.getClass().getName().startsWith(Tracer.class.getName())));
    }

    @ParameterizedTest
    @EnumSource(value = BrokerProbe.Kind.class, names = {"KAFKA", "SQS", "RABBITMQ"})
    void requestOutboxBrokerAndHandlerAreOneTrace(BrokerProbe.Kind kind) {
        String topic = consumeTopic(kind, unique());
        String consumer = startConsumer(kind, topic);
        String key = topic + ":traced";
        String traceparent = "00-" + TRACE_ID.substring(0, 16) + unique() + unique() + "-b7ad6b7169203331-01";
        String traceId = traceparent.substring(3, 35);

        HttpApi.Response accepted = new HttpApi(port).post("/api/events/" + topic,
                "{\"aggregateId\": \"" + key + "\", \"eventType\": \"TestEvent\", \"payload\": {\"key\": \"" + key + "\"}}",
                Map.of("Idempotency-Key", key, "traceparent", traceparent));
        assertThat(accepted.status()).isEqualTo(202);

        await("handled", Duration.ofSeconds(30), () -> effects(consumer, key) == 1);
        assertThat(handler.traceId(consumer, key)).as("the handler runs in the request's trace").isEqualTo(traceId);

        tracerProvider.forceFlush();
        await("spans of the whole path exported", Duration.ofSeconds(10), () ->
                trace(traceId).stream().anyMatch(span -> span.getName().equals("publish " + topic))
                        && trace(traceId).stream().anyMatch(span -> span.getKind() == SpanKind.SERVER)
                        && trace(traceId).stream().anyMatch(span -> span.getName().equals("handle " + topic)));
        List<SpanData> path = trace(traceId);
        SpanData request = path.stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        SpanData publish = path.stream().filter(span -> span.getName().equals("publish " + topic)).findFirst().orElseThrow();
        SpanData consume = path.stream().filter(span -> span.getName().equals("handle " + topic)).findFirst().orElseThrow();
        assertThat(request.getParentSpanId()).as("the request continues the caller's trace").isEqualTo("b7ad6b7169203331");
        assertThat(publish.getParentSpanId()).as("publish below the request").isEqualTo(request.getSpanId());
        assertThat(consume.getParentSpanId()).as("handling below the publish").isEqualTo(publish.getSpanId());
        assertThat(consume.getKind()).isEqualTo(SpanKind.CONSUMER);
    }

    private List<SpanData> trace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }
}
