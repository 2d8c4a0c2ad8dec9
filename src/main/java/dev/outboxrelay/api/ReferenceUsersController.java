package dev.outboxrelay.api;

import java.net.URI;
import java.util.UUID;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The reference domain endpoint: {@code POST /api/users} creates a user (row, {@code user.created} event
 * and welcome job in one transaction) and answers 202 at once; the welcome notification follows.
 */
@RestController
@RequestMapping("/api/users")
@ConditionalOnProperty(name = "outbox.intake.reference-users.enabled", havingValue = "true")
public class ReferenceUsersController {

    private final ReferenceUsers users;
    private final IntakeBackpressure backpressure;

    public ReferenceUsersController(ReferenceUsers users, IntakeBackpressure backpressure) {
        this.users = users;
        this.backpressure = backpressure;
    }

    /** @param email the user's address; {@code user.created}'s schema requires a valid one */
    public record UserRequest(String email, String name) {
    }

    @PostMapping
    public ResponseEntity<Accepted> create(@RequestBody UserRequest request) {
        backpressure.admitEvents();
        backpressure.admitJobs();
        ReferenceUsers.CreatedUser user = users.create(request.email(), request.name());
        String id = user.id().toString();
        URI location = URI.create("/api/users/" + id);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(location)
                .body(new Accepted(id, true, location.toString(), "/api/completions?id=" + user.welcomeJobId()));
    }

    @GetMapping("/{id}")
    public ResponseEntity<ReferenceUsers.User> status(@PathVariable UUID id) {
        return users.find(id).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());
    }
}
