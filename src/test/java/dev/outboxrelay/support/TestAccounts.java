package dev.outboxrelay.support;

import java.util.Map;
import java.util.UUID;

/**
 * The viewer and operator accounts of the test JVM, with random passwords made at start: the service
 * only starts with both set, and no password lives in the repository.
 */
public record TestAccounts(String viewer, String viewerPassword, String operator, String operatorPassword) {

    static TestAccounts generate() {
        return new TestAccounts("test-viewer", UUID.randomUUID().toString(), "test-operator", UUID.randomUUID().toString());
    }

    Map<String, Object> properties() {
        return Map.of("outbox.security.viewer.username", viewer,
                "outbox.security.viewer.password", viewerPassword,
                "outbox.security.operator.username", operator,
                "outbox.security.operator.password", operatorPassword);
    }
}
