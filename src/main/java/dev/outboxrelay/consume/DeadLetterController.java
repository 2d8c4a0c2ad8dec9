package dev.outboxrelay.consume;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Dead-letter operations for operators, under {@code /admin} so one rule can protect every admin path:
 *
 * <ul>
 *   <li>{@code GET /admin/dead-letters?consumer=&topic=&error=&from=&to=&status=dead|replayed|all&limit=}:
 *       summaries, oldest first (default: those not replayed, at most 100)</li>
 *   <li>{@code GET /admin/dead-letters/{id}}: one dead letter with its payload and headers</li>
 *   <li>{@code POST /admin/dead-letters/{id}/replay}: sends it back to its source</li>
 *   <li>{@code POST /admin/dead-letters/replay} with a JSON filter ({@code consumer}, {@code topic},
 *       {@code error}, {@code from}, {@code to}, {@code limit}): replays every matching dead letter not
 *       replayed yet; at least one condition is required</li>
 * </ul>
 */
@RestController
@RequestMapping("/admin/dead-letters")
public class DeadLetterController {

    private static final int DEFAULT_LIMIT = 100;

    private final DeadLetterLedger ledger;
    private final DeadLetterReplay replay;

    public DeadLetterController(DeadLetterLedger ledger, DeadLetterReplay replay) {
        this.ledger = ledger;
        this.replay = replay;
    }

    @GetMapping
    public List<Summary> list(@RequestParam(required = false) String consumer,
                              @RequestParam(required = false) String topic,
                              @RequestParam(required = false) String error,
                              @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                              @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                              @RequestParam(defaultValue = "dead") String status,
                              @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
        return ledger.search(new DeadLetterFilter(consumer, topic, error, from, to, status, limit)).stream()
                .map(Summary::of)
                .toList();
    }

    @GetMapping("/{id}")
    public ResponseEntity<DeadLetter> inspect(@PathVariable UUID id) {
        return ResponseEntity.of(ledger.find(id));
    }

    @PostMapping("/{id}/replay")
    public ResponseEntity<Summary> replayOne(@PathVariable UUID id) {
        return ResponseEntity.of(replay.replay(id).map(Summary::of));
    }

    @PostMapping("/replay")
    public ResponseEntity<?> replayMatching(@RequestBody ReplayRequest request) {
        DeadLetterFilter filter = new DeadLetterFilter(request.consumer(), request.topic(), request.error(),
                request.from(), request.to(), "dead", request.limit() == null ? DEFAULT_LIMIT : request.limit());
        if (!filter.hasCondition()) {
            return ResponseEntity.badRequest().body(Map.of("error",
                    "give at least one of consumer, topic, error, from, to: replaying every dead letter at once "
                            + "is not offered"));
        }
        List<UUID> replayed = replay.replay(filter);
        return ResponseEntity.ok(Map.of("replayed", replayed.size(), "ids", replayed));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", e.getMessage()));
    }

    /** What a bulk replay selects. */
    public record ReplayRequest(String consumer, String topic, String error, Instant from, Instant to, Integer limit) {
    }

    /** A dead letter without its payload and headers. */
    public record Summary(UUID id, String consumer, String broker, String source, String topic, String eventType,
                          String dedupeKey, String error, int attempts, Instant firstFailedAt, Instant deadLetteredAt,
                          String status, int replayCount, Instant replayedAt) {

        static Summary of(DeadLetter letter) {
            return new Summary(letter.id(), letter.consumer(), letter.broker().configName(), letter.source(),
                    letter.topic(), letter.eventType(), letter.dedupeKey(), letter.error(), letter.attempts(),
                    letter.firstFailedAt(), letter.deadLetteredAt(), letter.status(), letter.replayCount(),
                    letter.replayedAt());
        }
    }
}
