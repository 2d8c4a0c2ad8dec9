package dev.outboxrelay.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server in the test JVM that receives webhook calls. {@code /hooks/ok} answers 204;
 * {@code /hooks/flaky} answers 500 to the first {@link #FLAKY_FAILURES} calls of each delivery (by the
 * {@code X-Outbox-Delivery} header), then 204. Every call is recorded with its headers and raw body.
 */
public final class WebhookReceiver implements AutoCloseable {

    public static final int FLAKY_FAILURES = 2;

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> flakyCounts = new ConcurrentHashMap<>();

    /** One received call. */
    public record Call(String path, Map<String, List<String>> headers, String body, int answered, Instant at) {

        public String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/hooks/", receiver::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, task -> {
                Thread thread = new Thread(task, "test-webhook-receiver");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("could not start the webhook receiver", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String path = exchange.getRequestURI().getPath();
        int status = 204;
        if (path.endsWith("/flaky")) {
            String delivery = exchange.getRequestHeaders().getFirst("X-Outbox-Delivery");
            int call = flakyCounts.computeIfAbsent(String.valueOf(delivery), key -> new AtomicInteger()).incrementAndGet();
            status = call <= FLAKY_FAILURES ? 500 : 204;
        }
        calls.add(new Call(path, Map.copyOf(exchange.getRequestHeaders()), body, status, Instant.now()));
        if (status == 204) {
            exchange.sendResponseHeaders(204, -1);
        } else {
            byte[] answer = "receiver failing on purpose".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
        exchange.close();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The calls whose body mentions the given text (a topic or id), in arrival order. */
    public List<Call> callsMentioning(String text) {
        List<Call> matching = new ArrayList<>();
        for (Call call : calls) {
            if (call.body().contains(text)) {
                matching.add(call);
            }
        }
        return matching;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public String toString() {
        return "webhook receiver on " + url();
    }
}
