package dev.outboxrelay.observe;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of readiness ({@code /actuator/health/readiness}, together with the database): up once the Camel
 * context has started its routes. Routes an operator stops later on purpose do not make the instance
 * unready; their state shows in the details and in JMX.
 */
@Component("camelRoutes")
public class CamelReadiness implements HealthIndicator {

    private final ObjectProvider<CamelContext> camel;

    public CamelReadiness(ObjectProvider<CamelContext> camel) {
        this.camel = camel;
    }

    @Override
    public Health health() {
        CamelContext context = camel.getIfAvailable();
        if (context == null || context.getStatus() != ServiceStatus.Started) {
            return Health.outOfService().withDetail("camel", context == null ? "absent" : context.getStatus().name()).build();
        }
        Health.Builder health = Health.up();
        context.getRoutes().forEach(route -> health.withDetail(route.getRouteId(),
                String.valueOf(context.getRouteController().getRouteStatus(route.getRouteId()))));
        return health.build();
    }
}
