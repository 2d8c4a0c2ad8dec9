package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dashboard finds a RabbitMQ topic's consumers by the binding keys of their queues, as the broker routes. */
class RabbitBindingMatchTest {

    @Test
    void starIsOneWordAndHashIsAnyNumberOfWords() {
        assertThat(DashboardFigures.bindingMatches("mail.#", "mail.order-confirmation")).isTrue();
        assertThat(DashboardFigures.bindingMatches("mail.#", "mail")).isTrue();
        assertThat(DashboardFigures.bindingMatches("mail.#", "mail.a.b")).isTrue();
        assertThat(DashboardFigures.bindingMatches("mail.#", "mailer.a")).isFalse();
        assertThat(DashboardFigures.bindingMatches("mail.*", "mail.a")).isTrue();
        assertThat(DashboardFigures.bindingMatches("mail.*", "mail.a.b")).isFalse();
        assertThat(DashboardFigures.bindingMatches("#.placed", "orders.placed")).isTrue();
        assertThat(DashboardFigures.bindingMatches("#", "anything.at.all")).isTrue();
        assertThat(DashboardFigures.bindingMatches("rabbit.consume-x", "rabbit.consume-x")).isTrue();
        assertThat(DashboardFigures.bindingMatches("rabbit.consume-x", "rabbit.consume-y")).isFalse();
    }
}
