package dev.outboxrelay.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.outboxrelay.support.RelayInstance;
import dev.outboxrelay.support.RelayTestSupport;

/** A wrong setting stops the service at start-up with a message naming the setting, and nothing half-runs. */
class StartupValidationTest extends RelayTestSupport {

    @Test
    void unknownBrokerNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.routing.routes[0].topic", "orders.*",
                "outbox.routing.routes[0].broker", "kafak")))
                .contains("outbox.routing.routes[0].broker")
                .contains("kafak");
    }

    @Test
    void invalidDestinationNamesTheEntry() {
        assertThat(startupFailure(Map.of("outbox.routing.routes[0].topic", "orders.*",
                "outbox.routing.routes[0].broker", "sqs",
                "outbox.routing.routes[0].destination", "orders queue")))
                .contains("outbox.routing.routes[0].destination 'orders queue' is not a valid SQS queue name");
    }

    @Test
    void leaseThatIsNotPositiveIsRefused() {
        assertThat(startupFailure(Map.of("outbox.relay.lease", "0s")))
                .contains("outbox.relay.lease must be a positive duration, was PT0S");
    }

    @Test
    void missingExternalRouteFolderIsRefused() {
        assertThat(startupFailure(Map.of("outbox.routes.external-dir", "/no/such/folder")))
                .contains("outbox.routes.external-dir is '/no/such/folder', which is not a directory");
    }

    @Test
    void batchSizeOutOfRangeNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.relay.batch-size", "0")))
                .contains("outbox.relay")
                .contains("batchSize");
    }

    @Test
    void schemaVersionThatWouldBreakConsumersStopsStartUpNamingFileAndChange() {
        assertThat(startupFailure(Map.of("outbox.schemas.locations", "classpath:incompatible-schemas/")))
                .contains("Incompatible event schemas")
                .contains("kafka.broken/v2.json would break consumers of v1: payload.amount: property removed")
                .contains("payload.note: property made required");
    }

    @Test
    void invalidCronExpressionNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.jobs.recurring[0].name", "nightly",
                "outbox.jobs.recurring[0].queue", "reports",
                "outbox.jobs.recurring[0].cron", "every night")))
                .contains("outbox.jobs.recurring[0].cron 'every night' is not a valid cron expression");
    }

    @Test
    void webhookWithoutASigningKeyNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.webhooks.signing-secret", "",
                "outbox.webhooks.subscriptions[0].name", "storefront",
                "outbox.webhooks.subscriptions[0].topic", "orders.*",
                "outbox.webhooks.subscriptions[0].url", "https://shop.example.com/revalidate")))
                .contains("outbox.webhooks.subscriptions[0] has no signing key");
    }

    @Test
    void jobLeaseRenewalMustFitTheLease() {
        assertThat(startupFailure(Map.of("outbox.jobs.lease", "4s", "outbox.jobs.lease-renewal", "2s")))
                .contains("outbox.jobs.lease-renewal (PT2S) must be less than half of outbox.jobs.lease (PT4S)");
    }

    @Test
    void missingOperatorPasswordNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.security.operator.password", "")))
                .contains("outbox.security.operator.password is not set")
                .contains("OUTBOX_SECURITY_OPERATOR_PASSWORD");
    }

    @Test
    void unreadableEncodedPasswordNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.security.viewer.password", "{sha999}abc")))
                .contains("outbox.security.viewer.password looks encoded but cannot be read");
    }

    @Test
    void zeroIntakeBodySizeNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.intake.max-body-size", "0")))
                .contains("outbox.intake.max-body-size must be at least 1 byte");
    }

    @Test
    void tokenisingWithoutAKeyNamesTheSetting() {
        assertThat(startupFailure(Map.of("outbox.privacy.token.key", "")))
                .contains("outbox.privacy.token.key is not set")
                .contains("OUTBOX_PRIVACY_TOKEN_KEY");
    }

    @Test
    void invalidPrivacyFieldPathNamesTheEntry() {
        assertThat(startupFailure(Map.of("outbox.privacy.rules[0].topic", "user.*",
                "outbox.privacy.rules[0].drop[0]", "customer..email")))
                .contains("outbox.privacy.rules[0].drop[0] 'customer..email' is not a field path");
    }

    /** Starts an instance that must fail, and returns every message of the failure's cause chain. */
    private String startupFailure(Map<String, Object> settings) {
        String name = "invalid-" + unique();
        try (RelayInstance instance = RelayInstance.start(name, settings)) {
            throw new AssertionError("started despite " + settings);
        } catch (RuntimeException e) {
            assertThat(count("SELECT count(*) FROM relay_instances WHERE instance_id = ?", name))
                    .as("no half-started relay").isZero();
            List<String> messages = new ArrayList<>();
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                messages.add(String.valueOf(cause.getMessage()));
            }
            return String.join("\n", messages);
        }
    }
}
