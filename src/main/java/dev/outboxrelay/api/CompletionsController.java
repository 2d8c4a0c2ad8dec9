package dev.outboxrelay.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.outboxrelay.completion.CompletionFilter;
import dev.outboxrelay.completion.CompletionStream;

/**
 * Completion push to browsers: {@code GET /api/completions} is a server-sent-event stream of completed
 * work ({@code event: completion}, the id being the completion's seq). Filter with {@code topic}
 * (repeatable, {@code *} for any run of characters), {@code id} (repeatable) and {@code kind}. A browser's
 * EventSource reconnects by itself with the Last-Event-ID header and gets what it missed; clients that
 * cannot set the header pass {@code lastEventId}.
 */
@RestController
@RequestMapping("/api/completions")
public class CompletionsController {

    private final CompletionStream stream;

    public CompletionsController(CompletionStream stream) {
        this.stream = stream;
    }

    @GetMapping(produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public ResponseEntity<?> subscribe(@RequestParam(name = "topic", required = false) List<String> topics,
                                       @RequestParam(name = "id", required = false) List<String> ids,
                                       @RequestParam(name = "kind", required = false) List<String> kinds,
                                       @RequestParam(name = "lastEventId", required = false) String lastEventIdParam,
                                       @RequestHeader(name = "Last-Event-ID", required = false) String lastEventIdHeader) {
        CompletionFilter filter;
        Long lastEventId;
        try {
            filter = new CompletionFilter(split(topics), Set.copyOf(split(ids)), Set.copyOf(split(kinds)));
            String last = lastEventIdHeader != null ? lastEventIdHeader : lastEventIdParam;
            lastEventId = last == null || last.isBlank() ? null : Long.valueOf(last.strip());
        } catch (NumberFormatException e) {
            return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON)
                    .body(new ApiError("invalid", "Last-Event-ID: must be a completion seq (a number)", "Last-Event-ID",
                            null, null));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON)
                    .body(ApiError.of("invalid", e.getMessage()));
        }
        SseEmitter emitter = stream.subscribe(filter, lastEventId);
        return ResponseEntity.ok().header("X-Accel-Buffering", "no").body(emitter);
    }

    /** Values may be repeated parameters or comma-separated. */
    private static List<String> split(List<String> values) {
        if (values == null) {
            return List.of();
        }
        Set<String> parts = new LinkedHashSet<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    parts.add(part.strip());
                }
            }
        }
        return new ArrayList<>(parts);
    }
}
