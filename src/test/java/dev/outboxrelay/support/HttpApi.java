package dev.outboxrelay.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
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
    private final String authorization;

    public HttpApi(int port) {
        this(port, null);
    }

    private HttpApi(int port, String authorization) {
        this.port = port;
        this.authorization = authorization;
    }

    /** The same client, sending HTTP Basic credentials with every request. */
    public HttpApi as(String username, String password) {
        return new HttpApi(port, "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    public HttpApi asViewer() {
        TestAccounts accounts = TestServers.get().accounts();
        return as(accounts.viewer(), accounts.viewerPassword());
    }

    public HttpApi asOperator() {
        TestAccounts accounts = TestServers.get().accounts();
        return as(accounts.operator(), accounts.operatorPassword());
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
        return send(request);
    }

    /** A request as given: any method, body and content type. */
    public Response send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request);
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET());
    }

    private Response send(HttpRequest.Builder builder) {
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            boolean isJson = response.headers().firstValue("Content-Type").orElse("").contains("json");
            JsonNode tree = body == null || body.isBlank() || !isJson ? null : readJson(body);
            return new Response(response.statusCode(), response.headers().map(), tree, body);
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The body as JSON, or null when it is not JSON (Prometheus text, HTML). */
    private JsonNode readJson(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
