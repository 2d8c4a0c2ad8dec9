package dev.outboxrelay.relay;

import java.util.Optional;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;

import dev.outboxrelay.observe.TraceContexts;
import dev.outboxrelay.routing.Broker;

/**
 * Continues the trace an event was written in. For an event stored with a W3C {@code traceparent},
 * the relay opens a producer span that is a child of it, from claim to broker acknowledgement, and the
 * message carries that span's context; the consumer's span then hangs below it, so request → outbox →
 * broker → handler is one trace. Events without a traceparent cost nothing here.
 */
@Component
public class RelayTracing {

    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<String> DEDUPE_KEY = AttributeKey.stringKey("outbox.dedupe_key");
    private static final AttributeKey<String> AGGREGATE = AttributeKey.stringKey("outbox.aggregate_id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("outbox.attempt");

    // looked up once: resolving the bean on every event showed up in the relay's profile
    private final SingletonSupplier<Optional<OpenTelemetry>> openTelemetry;

    public RelayTracing(ObjectProvider<OpenTelemetry> openTelemetry) {
        this.openTelemetry = SingletonSupplier.of(() -> Optional.ofNullable(openTelemetry.getIfAvailable()));
    }

    /** Opens the event's publish span when it was written inside a trace. */
    void start(RelayEvent event) {
        if (event.destination() == null || !event.headers().containsKey(EventHeaders.TRACEPARENT)) {
            return;
        }
        OpenTelemetry telemetry = openTelemetry.obtain().orElse(null);
        if (telemetry == null) {
            return;
        }
        Context parent = TraceContexts.extract(telemetry, event.headers());
        Span span = telemetry.getTracer("outbox-relay")
                .spanBuilder("publish " + event.topic())
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(SYSTEM, system(event.destination().broker()))
                .setAttribute(DESTINATION, event.destination().name())
                .setAttribute(MESSAGE_ID, event.id().toString())
                .setAttribute(DEDUPE_KEY, event.dedupeKey())
                .setAttribute(AGGREGATE, event.aggregateId())
                .setAttribute(ATTEMPT, (long) event.attempts() + 1)
                .startSpan();
        event.traced(span, TraceContexts.inject(telemetry, parent.with(span)));
    }

    /** Closes the publish span with the event's outcome. */
    void end(RelayEvent event) {
        Span span = event.span();
        if (span == null) {
            return;
        }
        switch (event.outcome()) {
            case PUBLISHED -> span.setStatus(StatusCode.OK);
            case FAILED -> span.setStatus(StatusCode.ERROR, event.error());
            default -> span.setAttribute("outbox.held", true);
        }
        span.end();
    }

    private static String system(Broker broker) {
        return switch (broker) {
            case KAFKA -> "kafka";
            case SQS -> "aws_sqs";
            case RABBITMQ -> "rabbitmq";
        };
    }
}
