package dev.outboxrelay.consume;

import java.util.Optional;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.outboxrelay.observe.TraceContexts;

/**
 * Runs a handler in a consumer span that continues the trace the message carries (the relay's publish
 * span, itself below the request that wrote the event), whichever broker brought it and whichever thread
 * runs the handler. Everything the handler traces or logs is then part of that one trace.
 */
@Component
public class HandlerTracing {

    private static final AttributeKey<String> CONSUMER = AttributeKey.stringKey("outbox.consumer");
    private static final AttributeKey<String> DEDUPE_KEY = AttributeKey.stringKey("outbox.dedupe_key");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

    private final ObjectProvider<OpenTelemetry> openTelemetry;
    // looked up on the first event, not per event: a provider lookup resolves the bean every time
    private volatile Optional<OpenTelemetry> telemetry;

    public HandlerTracing(ObjectProvider<OpenTelemetry> openTelemetry) {
        this.openTelemetry = openTelemetry;
    }

    /** Something the handler does; it may throw. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    void inSpan(ConsumedEvent event, Work work) throws Exception {
        Optional<OpenTelemetry> resolved = this.telemetry;
        if (resolved == null) {
            resolved = Optional.ofNullable(openTelemetry.getIfAvailable());
            this.telemetry = resolved;
        }
        OpenTelemetry telemetry = resolved.orElse(null);
        if (telemetry == null) {
            work.run();
            return;
        }
        Context parent = TraceContexts.extract(telemetry, event.headers());
        Span span = telemetry.getTracer("outbox-relay")
                .spanBuilder("handle " + event.topic())
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(CONSUMER, event.consumer())
                .setAttribute(DEDUPE_KEY, event.dedupeKey())
                .setAttribute(MESSAGE_ID, String.valueOf(event.id()))
                .startSpan();
        try (Scope ignored = parent.with(span).makeCurrent()) {
            work.run();
            span.setStatus(StatusCode.OK);
        } catch (Exception | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            span.end();
        }
    }
}
