package dev.outboxrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.outboxrelay.jobs.JobQueue;
import dev.outboxrelay.jobs.NewJob;
import dev.outboxrelay.outbox.OutboxEvent;
import dev.outboxrelay.support.BrokerProbe;
import dev.outboxrelay.support.ConsumerTestSupport;
import dev.outboxrelay.support.HttpApi;
import dev.outboxrelay.support.TestAccounts;

/**
 * The dashboard in a real (headless) Chromium: the figures it shows for waiting, parked and
 * dead-lettered events and for a job queue are the ones the database holds, and its replay button sends
 * a topic's dead letters back to their consumer.
 */
class DashboardPageTest extends ConsumerTestSupport {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @LocalServerPort
    private int port;

    @Autowired
    private MetricsRefresh metrics;

    @Autowired
    private JobQueue jobs;

    @TempDir
    Path browserProfile;

    @Test
    void dashboardShowsWhatTheDatabaseHoldsAndReplaysATopicsDeadLetters() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the dashboard test needs Debian's chromium and chromium-driver at /usr/bin (installed in CI)");
        String held = "kafka.dash-held-" + unique();
        Instant later = Instant.now().plus(Duration.ofHours(1));
        for (int i = 0; i < 4; i++) {
            writer.write(OutboxEvent.builder(held).aggregateId(held + "-" + i).eventType("TestEvent")
                    .payload("{}").dedupeKey(held + ":" + i).availableAt(later).build());
        }
        jdbc.update("UPDATE outbox_events SET parked_at = now() WHERE topic = ? AND aggregate_id = ?", held, held + "-0");

        String topic = consumeTopic(BrokerProbe.Kind.RABBITMQ, "dash-" + unique());
        String consumer = startConsumer(BrokerProbe.Kind.RABBITMQ, topic);
        // three failures use up the test profile's attempts; a replay is the fourth attempt, which succeeds
        writer.writeAll(List.of(
                scripted(topic, topic + "-a", topic + ":a", Map.of()),
                scripted(topic, topic + "-b", topic + ":b", Map.of()),
                scripted(topic, topic + "-c", topic + ":c", Map.of("failTimes", 3)),
                scripted(topic, topic + "-d", topic + ":d", Map.of("failTimes", 3))));
        await("two handled, two dead-lettered", Duration.ofSeconds(40),
                () -> effects(consumer) == 2 && deadLetters(consumer) == 2);

        String queue = "dash-" + unique();
        jobs.enqueue(NewJob.builder(queue).build());
        jobs.enqueue(NewJob.builder(queue).build());
        jobs.enqueue(NewJob.builder(queue).delay(Duration.ofHours(1)).build());
        metrics.refreshNow();

        WebDriver browser = chromium();
        try {
            browser.get(new HttpApi(port).pageUrl("/dashboard"));
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(StaleElementReferenceException.class);
            wait.until(page -> !figure(page, "topic", held, "backlog").isEmpty());

            assertThat(figure(browser, "topic", held, "backlog")).as("backlog").isEqualTo(String.valueOf(
                    count("SELECT count(*) FROM outbox_events WHERE topic = ? AND published_at IS NULL "
                            + "AND parked_at IS NULL", held))).isEqualTo("3");
            assertThat(figure(browser, "topic", held, "parked")).as("parked").isEqualTo(String.valueOf(
                    count("SELECT count(*) FROM outbox_events WHERE topic = ? AND parked_at IS NOT NULL", held)))
                    .isEqualTo("1");
            assertThat(figure(browser, "topic", held, "oldest-age")).as("oldest waiting event").endsWith(" s");

            wait.until(page -> figure(page, "topic", topic, "dead-letters").equals("2"));
            assertThat(figure(browser, "topic", topic, "dead-letters")).as("dead letters").isEqualTo(String.valueOf(
                    count("SELECT count(*) FROM consumer_dead_letters WHERE topic = ? AND replayed_at IS NULL", topic)));
            assertThat(figure(browser, "topic", topic, "retries")).as("retries: two per dead letter")
                    .isEqualTo(String.valueOf(count("SELECT sum(attempts - 1) FROM consumer_dead_letters WHERE topic = ?",
                            topic))).isEqualTo("4");
            assertThat(figure(browser, "topic", topic, "failures")).as("failed attempts").isEqualTo("6");
            assertThat(figure(browser, "topic", topic, "lag")).as("nothing waits in the consumer's queue").isEqualTo("0");
            assertThat(Integer.parseInt(figure(browser, "topic", topic, "p95"))).as("p95 in ms").isPositive();
            assertThat(figure(browser, "queue", queue, "ready")).as("ready jobs").isEqualTo(String.valueOf(
                    count("SELECT count(*) FROM job_queue WHERE queue = ? AND run_at <= now()", queue))).isEqualTo("2");
            assertThat(figure(browser, "queue", queue, "scheduled")).isEqualTo("1");
            assertThat(figure(browser, "broker", "rabbitmq", "circuit")).isEqualTo("closed");
            wait.until(page -> !figure(page, "topic", topic, "published-rate").equals("–"));

            wait.until(page -> {
                page.findElement(By.cssSelector("button[data-topic=\"" + topic + "\"][data-action=\"replay\"]")).click();
                return true;
            });
            wait.until(page -> page.findElement(By.id("notice")).getText().contains("Replayed 2 dead letter(s)"));
            await("replayed events handled", Duration.ofSeconds(30), () -> effects(consumer) == 4);
            metrics.refreshNow();
            wait.until(page -> figure(page, "topic", topic, "dead-letters").equals("0"));
            assertThat(count("SELECT count(*) FROM consumer_dead_letters WHERE topic = ? AND replayed_at IS NULL", topic))
                    .isZero();
        } finally {
            browser.quit();
            jdbc.update("DELETE FROM job_queue WHERE queue = ?", queue);
            jdbc.update("DELETE FROM outbox_events WHERE topic = ?", held);
        }
    }

    /** The text of the figure tagged with data-metric for a topic, queue or broker; empty when not shown. */
    private static String figure(WebDriver page, String kind, String key, String metric) {
        By selector = By.cssSelector("[data-" + kind + "=\"" + key + "\"][data-metric=\"" + metric + "\"]");
        // the page redraws its tables every 2 s: an element found just before a redraw is gone after it
        for (int tries = 1; ; tries++) {
            try {
                return page.findElements(selector).stream().findFirst().map(element -> element.getText().strip())
                        .orElse("");
            } catch (StaleElementReferenceException redrawn) {
                if (tries == 5) {
                    throw redrawn;
                }
            }
        }
    }

    private WebDriver chromium() {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + browserProfile.toAbsolutePath());
        ChromeDriver driver = new ChromeDriver(service, options);
        // the operator signs in: every request of the page, its own fetch calls included, carries the
        // account (credentials in the address would make the browser refuse the page's fetch calls)
        TestAccounts accounts = servers().accounts();
        String basic = Base64.getEncoder().encodeToString(
                (accounts.operator() + ":" + accounts.operatorPassword()).getBytes(StandardCharsets.UTF_8));
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", "Basic " + basic)));
        return driver;
    }
}
