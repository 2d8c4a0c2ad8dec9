package dev.outboxrelay.security;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Access rules, by path and method, with HTTP Basic and no session:
 *
 * <ul>
 *   <li>open: the public API under {@code /api} (intake, status, completion stream) and the health probes
 *       {@code /actuator/health}, {@code /actuator/health/liveness}, {@code /actuator/health/readiness}</li>
 *   <li>operator: Hawtio and Jolokia (both can stop routes and invoke any MBean), and every method but
 *       GET and HEAD under {@code /admin}, {@code /dashboard} and {@code /actuator}</li>
 *   <li>viewer (operators too): GET and HEAD there, and any path not named here</li>
 * </ul>
 *
 * Hawtio's own login is off ({@code hawtio.authenticationEnabled: false}): the browser answers this
 * Basic challenge once for the console, and sends the same credentials with the console's Jolokia calls,
 * which go to {@code /actuator/hawtio/jolokia} and are held to the operator rule here.
 */
@Configuration(proxyBeanMethods = false)
public class AccessControl {

    static final String VIEWER = "VIEWER";
    static final String OPERATOR = "OPERATOR";

    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
    private static final String[] PROTECTED = {"/admin/**", "/dashboard/**", "/actuator/**"};

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    SecurityFilterChain accessRules(HttpSecurity http, AccessControlProperties properties) throws Exception {
        // Basic credentials on every call, no session and no cookie: nothing for a forged request to ride
        // on but credentials a browser cached, which the cross-site rule below covers
        http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable());
        if (!properties.enabled()) {
            log.warn("outbox.security.enabled is false: the admin API, Hawtio and Jolokia are open to anyone");
            http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
            return http.build();
        }
        PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
        http.httpBasic(basic -> basic.realmName("outbox-relay"))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(crossSiteChange(path)).denyAll()
                        .requestMatchers(path.matcher(HttpMethod.GET, "/actuator/health"),
                                path.matcher(HttpMethod.GET, "/actuator/health/liveness"),
                                path.matcher(HttpMethod.GET, "/actuator/health/readiness")).permitAll()
                        .requestMatchers(path.matcher("/actuator/hawtio/**"), path.matcher("/actuator/jolokia/**"))
                        .hasRole(OPERATOR)
                        .requestMatchers(read(path)).hasRole(VIEWER)
                        .requestMatchers(any(path, null)).hasRole(OPERATOR)
                        .requestMatchers(path.matcher("/api/**"), path.matcher("/error")).permitAll()
                        .anyRequest().hasRole(VIEWER));
        return http.build();
    }

    /**
     * No spans for the security filters: the request's own span stays the parent of the work it
     * does (the outbox write, and through it the relay's publish), as a traced request expects.
     */
    @Bean
    static SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** Operators may do all that viewers may. */
    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix().role(OPERATOR).implies(VIEWER).build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** Built in instances without a web server too, so that an unreadable password stops any start-up. */
    @Bean
    UserDetailsService accounts(AccessControlProperties properties, PasswordEncoder encoder) {
        if (!properties.enabled()) {
            return new InMemoryUserDetailsManager();
        }
        return new InMemoryUserDetailsManager(
                account("outbox.security.viewer", properties.viewer(), encoder, VIEWER),
                account("outbox.security.operator", properties.operator(), encoder, OPERATOR));
    }

    private static UserDetails account(String setting, AccessControlProperties.Account account, PasswordEncoder encoder,
                                       String role) {
        String stored = account.password().startsWith("{") ? account.password() : "{noop}" + account.password();
        try {
            encoder.matches("", stored);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ".password looks encoded but cannot be read: " + e.getMessage()
                    + "; give {bcrypt}<hash>, {noop}<password> or a plain password not starting with '{'", e);
        }
        return User.withUsername(account.username()).password(stored).roles(role).build();
    }

    /** A change to a protected path from another site's page, riding on credentials the browser cached. */
    private static RequestMatcher crossSiteChange(PathPatternRequestMatcher.Builder path) {
        RequestMatcher protectedPath = any(path, null);
        return request -> isChange(request) && "cross-site".equals(request.getHeader("Sec-Fetch-Site"))
                && protectedPath.matches(request);
    }

    private static boolean isChange(HttpServletRequest request) {
        String method = request.getMethod();
        return !"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method);
    }

    private static RequestMatcher read(PathPatternRequestMatcher.Builder path) {
        List<RequestMatcher> matchers = new ArrayList<>();
        matchers.add(any(path, HttpMethod.GET));
        matchers.add(any(path, HttpMethod.HEAD));
        return new OrRequestMatcher(matchers);
    }

    private static RequestMatcher any(PathPatternRequestMatcher.Builder path, HttpMethod method) {
        List<RequestMatcher> matchers = new ArrayList<>();
        for (String pattern : PROTECTED) {
            matchers.add(path.matcher(method, pattern));
        }
        return new OrRequestMatcher(matchers);
    }
}
