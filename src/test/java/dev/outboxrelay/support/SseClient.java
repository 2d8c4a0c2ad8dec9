package dev.outboxrelay.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP client reading a server-sent-event stream, as a browser's EventSource does: it parses
 * {@code id}, {@code event} and {@code data} lines into events on a thread of its own.
 */
public final class SseClient implements AutoCloseable {

    /** One received event. */
    public record Event(String id, String name, String data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final Thread reader;
    private volatile InputStream body;
    private volatile int status;
    private volatile boolean closed;

    private SseClient(URI uri, String lastEventId) {
        reader = new Thread(() -> read(uri, lastEventId), "test-sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects and waits until the response headers arrived. */
    public static SseClient connect(URI uri, String lastEventId) {
        SseClient client = new SseClient(uri, lastEventId);
        try {
            if (!client.connected.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no response from " + uri);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (client.status != 200) {
            throw new AssertionError("stream " + uri + " answered " + client.status);
        }
        return client;
    }

    private void read(URI uri, String lastEventId) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            body = response.body();
            connected.countDown();
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            if (!closed) {
                events.add(new Event(null, "client-error", e.toString()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connected.countDown();
        }
    }

    /** Waits for the next event; fails after the timeout. */
    public Event next(Duration timeout) {
        try {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no server-sent event within " + timeout);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Every event that arrives within the given time. */
    public List<Event> drain(Duration quiet) {
        List<Event> received = new ArrayList<>();
        try {
            Event event;
            while ((event = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                received.add(event);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return received;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (body != null) {
                body.close();
            }
        } catch (IOException e) {
            // closing a stream we abandon
        }
        reader.interrupt();
    }
}
