package io.latentwatch.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The HTTP side on the real service (broker, trained model, Kafka Streams): {@code /metrics}, health, the Grafana
 * dashboard's queries against the real output, and the dashboard in a real Chromium.
 */
class ObservabilityEndToEndTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path GRAFANA_DASHBOARD = Path.of("../docker/grafana/dashboards/latentwatch.json");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    private static LiveService service;

    @BeforeAll
    static void start() throws Exception {
        service = new LiveService(dir);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void servesMetricsAndHealth() throws Exception {
        service.produce(300, 1);
        LiveService.await("all records scored or dead-lettered", WAIT, service::allAccountedFor);

        HttpResponse<String> metrics = service.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        Files.writeString(Path.of("target", "metrics-sample.txt"), metrics.body()); // for reading, not checked
        Map<String, Double> samples = PrometheusText.parse(metrics.body());
        assertThat(samples).containsEntry("latentwatch_model_info{execution_provider=\"cpu\",model_id=\"dash-test\",model_version=\"7\"}", 1.0)
                .containsEntry("latentwatch_streams_running", 1.0);
        assertThat(samples.get("latentwatch_records_scored_total")).isGreaterThanOrEqualTo(300);
        assertThat(samples.get("latentwatch_records_dead_lettered_total{reason=\"MALFORMED_JSON\"}")).isGreaterThanOrEqualTo(1);
        assertThat(samples.get("latentwatch_alerts_total{severity=\"CRITICAL\"}")).isPositive();
        assertThat(PrometheusText.names(metrics.body())).anyMatch(n -> n.startsWith("kafka_stream_"))
                .anyMatch(n -> n.startsWith("kafka_consumer_")).anyMatch(n -> n.startsWith("jvm_"));

        HttpResponse<String> ready = service.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"state\":\"RUNNING\"");
        assertThat(service.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(service.get("/nothing-here").statusCode()).isEqualTo(404);
        HttpResponse<String> post = service.send(HttpRequest.newBuilder(URI.create(service.http.baseUrl() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);

        JsonNode dash = new ObjectMapper().readTree(service.get("/api/dashboard").body());
        assertThat(dash.path("model").path("id").asText()).isEqualTo("dash-test");
        assertThat(dash.path("totals").path("scored").asLong()).isEqualTo(samples.get("latentwatch_records_scored_total").longValue());
        assertThat(dash.path("scoreHistogram").path("count").asLong()).isEqualTo(samples.get("latentwatch_score_count").longValue());
    }

    @Test
    void everyMetricTheGrafanaDashboardQueriesIsExposed() throws Exception {
        service.produce(200, 1);
        LiveService.await("all records scored or dead-lettered", WAIT, service::allAccountedFor);
        JsonNode dashboard = new ObjectMapper().readTree(GRAFANA_DASHBOARD.toFile());
        Set<String> queried = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            queried.addAll(PromQl.metricNames(expr.asText()));
        }
        assertThat(queried).as("metrics queried by " + GRAFANA_DASHBOARD).hasSizeGreaterThan(8);
        Set<String> exposed = PrometheusText.names(service.get("/metrics").body());
        assertThat(exposed).as("metric names in the service's /metrics").containsAll(queried);
    }

    @Test
    void dashboardInChromiumShowsLiveFiguresMatchingMetrics() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && ci) {
            throw new AssertionError("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: .ci/run installs "
                    + "the Debian packages chromium and chromium-driver");
        }
        Assumptions.assumeTrue(present, "skipped: the browser test needs Debian's chromium and chromium-driver ("
                + CHROMIUM + ", " + CHROMEDRIVER + "); install them with: apt-get install -y chromium chromium-driver");

        ChromeDriverService driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1500",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile"));
        ChromeDriver browser = new ChromeDriver(driverService, options);
        try {
            browser.get(service.http.dashboardUrl());
            LiveService.await("the page shows the model", WAIT, () -> text(browser, "model-id").equals("dash-test"));
            assertThat(text(browser, "model-version")).isEqualTo("7");
            assertThat(text(browser, "model-provider")).isEqualTo("cpu");
            assertThat(text(browser, "streams-state")).isEqualTo("RUNNING");
            long before = number(browser, "total-scored");

            service.produce(1500, 2);
            LiveService.await("all records scored or dead-lettered", WAIT, service::allAccountedFor);
            Map<String, Double> m = PrometheusText.parse(service.get("/metrics").body());
            long scored = m.get("latentwatch_records_scored_total").longValue();
            assertThat(scored).isGreaterThanOrEqualTo(before + 1500);
            // The page polls every second: wait until it has caught up with /metrics, then compare every figure.
            LiveService.await("the page shows scored=" + scored, WAIT, () -> number(browser, "total-scored") == scored);
            assertThat(number(browser, "total-received")).isEqualTo(m.get("latentwatch_records_received_total").longValue());
            long dead = m.entrySet().stream().filter(e -> e.getKey().startsWith("latentwatch_records_dead_lettered_total"))
                    .mapToLong(e -> e.getValue().longValue()).sum();
            assertThat(number(browser, "total-dead-lettered")).isEqualTo(dead).isGreaterThanOrEqualTo(2);
            assertThat(number(browser, "alerts-critical")).isEqualTo(m.get("latentwatch_alerts_total{severity=\"CRITICAL\"}").longValue())
                    .isPositive();
            assertThat(number(browser, "alerts-warning")).isEqualTo(m.get("latentwatch_alerts_total{severity=\"WARNING\"}").longValue());
            assertThat(browser.findElement(By.id("chart-scores")).getDomAttribute("data-total"))
                    .isEqualTo(Long.toString(m.get("latentwatch_score_count").longValue()));

            JavascriptExecutor js = browser;
            Number peak = (Number) js.executeScript(
                    "return Math.max(...Chart.getChart('chart-throughput').data.datasets[0].data)");
            assertThat(peak.doubleValue()).as("highest throughput point, records/s").isPositive();
            @SuppressWarnings("unchecked")
            List<Object> marks = (List<Object>) js.executeScript(
                    "return Chart.getChart('chart-scores').options.plugins.thresholdLines.marks.map(m => m.index)");
            assertThat(marks).hasSize(2).allMatch(i -> ((Number) i).intValue() >= 0);

            LiveService.await("the latest alerts are listed", WAIT,
                    () -> !browser.findElements(By.cssSelector("#latest-alerts tr.alert")).isEmpty());
            WebElement first = browser.findElements(By.cssSelector("#latest-alerts tr.alert")).get(0);
            assertThat(first.findElement(By.cssSelector("td.top-features")).getText()).matches("[a-d] \\d+%.*");

            Path shot = Path.of("target", "dashboard.png");
            Files.createDirectories(shot.getParent());
            File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), shot, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.println("dashboard screenshot: " + shot.toAbsolutePath());
        } finally {
            browser.quit();
        }
    }

    private static String text(ChromeDriver browser, String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    private static long number(ChromeDriver browser, String id) {
        String t = text(browser, id).replace(",", "");
        return t.matches("\\d+") ? Long.parseLong(t) : -1;
    }
}
