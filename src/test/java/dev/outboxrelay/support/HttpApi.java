package dev.outboxrelay.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real HTTP client for the service's own API, on the port the test context listens on. Every request
 * of the tests, and every address a test browser opens, goes through here, so that what a request needs
 * to be let in is added in one place.
 */
public final class HttpApi {

    /** A response with its body read as JSON (null when empty or not JSON). */
    public record Response(int status, Map<String, java.util.List<String>> headers, JsonNode json, String body) {

        public String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final int port;

    public HttpApi(int port) {
        this.port = port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The address a browser opens for a page of the service. */
    public String pageUrl(String path) {
        return uri(path).toString();
    }

    public Response post(String path, String body) {
        return post(path, body, Map.of());
    }

    public Response post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            boolean isJson = response.headers().firstValue("Content-Type").orElse("").contains("json");
            JsonNode tree = body == null || body.isBlank() || !isJson ? null : json.readTree(body);
            return new Response(response.statusCode(), response.headers().map(), tree, body);
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
