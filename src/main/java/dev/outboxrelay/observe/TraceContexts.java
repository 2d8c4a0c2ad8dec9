package dev.outboxrelay.observe;

import java.util.HashMap;
import java.util.Map;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/** W3C trace context in and out of the string headers events carry (traceparent, tracestate). */
public final class TraceContexts {

    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private TraceContexts() {
    }

    /** The context the headers name, or the root context when they carry none. */
    public static Context extract(OpenTelemetry telemetry, Map<String, String> headers) {
        return telemetry.getPropagators().getTextMapPropagator().extract(Context.root(), headers, HEADERS);
    }

    /** The headers that carry the given context. */
    public static Map<String, String> inject(OpenTelemetry telemetry, Context context) {
        Map<String, String> headers = new HashMap<>(2);
        telemetry.getPropagators().getTextMapPropagator().inject(context, headers, Map::put);
        return headers;
    }
}
