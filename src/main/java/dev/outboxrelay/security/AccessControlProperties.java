package dev.outboxrelay.security;

import java.util.regex.Pattern;

import jakarta.validation.Valid;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may use the admin API, the dashboard, the actuator endpoints, Hawtio and Jolokia. Passwords come
 * from the environment only ({@code OUTBOX_SECURITY_OPERATOR_PASSWORD}, {@code OUTBOX_SECURITY_VIEWER_PASSWORD}),
 * plain or encoded as {@code {bcrypt}...}, {@code {noop}...} and the other ids of Spring Security's
 * delegating password encoder.
 *
 * @param enabled  false leaves every path open (a local machine only); true needs both passwords
 * @param viewer   reads: GET on the admin API, the dashboard, metrics and Prometheus
 * @param operator everything the viewer may, plus replays, retries, schedules, Hawtio and Jolokia
 */
@ConfigurationProperties("outbox.security")
@Validated
public record AccessControlProperties(@DefaultValue("true") boolean enabled,
                                      @DefaultValue @Valid Account viewer,
                                      @DefaultValue @Valid Account operator) {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    public AccessControlProperties {
        viewer = viewer.named("viewer");
        operator = operator.named("operator");
        if (enabled) {
            viewer.check("outbox.security.viewer");
            operator.check("outbox.security.operator");
            if (viewer.username().equals(operator.username())) {
                throw new IllegalArgumentException("outbox.security.viewer.username and outbox.security.operator.username"
                        + " are both '" + viewer.username() + "': each role needs an account of its own");
            }
        }
    }

    /**
     * One account.
     *
     * @param username the login name (default: the role's name); letters, digits, '.', '_', '@', '-'
     * @param password plain, or {@code {id}encoded} for Spring Security's delegating password encoder
     */
    public record Account(String username, String password) {

        Account named(String defaultName) {
            return username == null || username.isBlank() ? new Account(defaultName, password) : this;
        }

        @Override
        public String toString() {
            // the properties end up in failure reports and debug output; the password must not
            return "Account[username=" + username + ", password=" + (password == null || password.isBlank() ? "unset" : "***") + "]";
        }

        void check(String setting) {
            if (username == null || !USERNAME.matcher(username).matches()) {
                throw new IllegalArgumentException(setting + ".username '" + username
                        + "' must be 1 to 64 letters, digits or . _ @ -");
            }
            if (password == null || password.isBlank()) {
                throw new IllegalArgumentException(setting + ".password is not set: with outbox.security.enabled, give it "
                        + "by environment (" + setting.toUpperCase().replace('.', '_') + "_PASSWORD)");
            }
        }
    }
}
