package io.latentwatch.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of {@code docker/} without a Docker engine: the files parse, refer to each other and to files
 * that exist, the service's properties pass its own config validation, and promtool accepts the Prometheus config.
 * (That every metric the Grafana dashboard queries is exposed is checked on the live service in
 * {@link ObservabilityEndToEndTest}.)
 */
class DeploymentFilesTest {
    private static final Path DOCKER = Path.of("../docker");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode yaml(String name) throws IOException {
        return YAML.readTree(DOCKER.resolve(name).toFile());
    }

    @Test
    void composeHasTheWholeStackAndEveryFileItNames() throws IOException {
        JsonNode services = yaml("compose.yaml").path("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("kafka", "latentwatch", "retrain", "prometheus", "grafana");

        JsonNode kafka = services.path("kafka");
        assertThat(kafka.path("image").asText()).startsWith("apache/kafka:");
        assertThat(kafka.path("environment").path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText()).contains("PLAINTEXT://kafka:9092");

        JsonNode service = services.path("latentwatch");
        assertThat(service.path("depends_on").path("kafka").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(service.path("ports").toString()).contains(":8080");
        assertThat(services.path("retrain").path("command").toString()).contains("latentwatch-app.jar retrain")
                .contains("--registry /models/registry").contains("--cron").contains("--bootstrap-servers kafka:9092");
        assertThat(services.path("train-initial").path("command").toString()).contains("models register")
                .contains("--registry /models/registry").contains("--promote");

        for (String name : names) {
            JsonNode build = services.path(name).path("build");
            if (!build.isMissingNode()) {
                assertThat(DOCKER.resolve(build.path("context").asText()).resolve(build.path("dockerfile").asText()))
                        .as("Dockerfile of " + name).isRegularFile();
            }
            for (JsonNode volume : services.path(name).path("volumes")) {
                String source = volume.asText().split(":")[0].replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1");
                if (source.startsWith(".")) {
                    assertThat(DOCKER.resolve(source)).as("bind mount of " + name + ": " + volume.asText()).exists();
                }
            }
        }
    }

    @Test
    void prometheusScrapesTheServiceWhereItListens() throws Exception {
        JsonNode config = yaml("prometheus/prometheus.yml");
        JsonNode job = config.path("scrape_configs").get(0);
        assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
        String target = job.path("static_configs").get(0).path("targets").get(0).asText();
        Properties props = serviceProperties();
        assertThat(target).isEqualTo("latentwatch:" + props.getProperty(ObservabilityConfig.HTTP_PORT_CONFIG));
        assertThat(yaml("compose.yaml").path("services").has(target.split(":")[0])).isTrue();

        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool),
                "promtool check skipped: /usr/bin/promtool is missing (Debian package prometheus; .ci/run installs it)");
        Process p = new ProcessBuilder(promtool.toString(), "check", "config", DOCKER.resolve("prometheus/prometheus.yml").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void grafanaIsProvisionedWithTheDatasourceAndTheDashboard() throws IOException {
        JsonNode ds = yaml("grafana/provisioning/datasources/prometheus.yaml").path("datasources").get(0);
        assertThat(ds.path("type").asText()).isEqualTo("prometheus");
        assertThat(ds.path("url").asText()).isEqualTo("http://prometheus:9090");
        String uid = ds.path("uid").asText();

        JsonNode provider = yaml("grafana/provisioning/dashboards/latentwatch.yaml").path("providers").get(0);
        String path = provider.path("options").path("path").asText();
        assertThat(yaml("compose.yaml").path("services").path("grafana").path("volumes").toString())
                .contains("./grafana/dashboards:" + path);

        JsonNode dashboard = new ObjectMapper().readTree(DOCKER.resolve("grafana/dashboards/latentwatch.json").toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("latentwatch");
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            titles.add(panel.path("title").asText());
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo(uid);
        }
        // The built-in page's figures: throughput, latency, alert rate, score histogram and thresholds, model.
        assertThat(String.join("|", titles)).contains("Throughput", "Scoring latency", "Alert rate by severity",
                "Score histogram", "Alert thresholds", "Model serving", "Consumer lag");
    }

    @Test
    void theServicePropertiesPassTheServicesOwnValidation() throws IOException {
        Properties props = serviceProperties();
        Map<String, Object> values = new HashMap<>();
        props.forEach((k, v) -> values.put(k.toString(), v.toString()));
        ObservabilityConfig http = ObservabilityConfig.fromMap(values);
        assertThat(http.httpAddress()).isEqualTo("0.0.0.0");
        values.keySet().removeIf(ObservabilityConfig::defines);
        assertThat(LatentwatchStreamsConfig.fromMap(values).toSettings().bootstrapServers()).isEqualTo("kafka:9092");
    }

    @Test
    void theCommentedTimeSeriesSettingsPassValidationToo() throws IOException {
        Properties props = serviceProperties();
        // the commented "# alerts.*=..." lines, uncommented
        for (String line : Files.readAllLines(DOCKER.resolve("latentwatch.properties"))) {
            if (line.startsWith("# alerts.")) {
                String[] kv = line.substring(2).split("=", 2);
                props.setProperty(kv[0], kv[1]);
            }
        }
        Map<String, Object> values = new HashMap<>();
        props.forEach((k, v) -> values.put(k.toString(), v.toString()));
        values.keySet().removeIf(ObservabilityConfig::defines);
        var scoring = LatentwatchStreamsConfig.fromMap(values).toSettings().alertScoring();
        assertThat(scoring.dailyLikelihood()).isTrue();
        assertThat(scoring.range().levelRecords()).isEqualTo(24);
    }

    @Test
    void imagesAreMultiStageAndRunAsAnUnprivilegedUser() throws IOException {
        for (String name : List.of("Dockerfile.streaming", "Dockerfile.trainer")) {
            String text = Files.readString(DOCKER.resolve(name));
            assertThat(text.lines().filter(l -> l.startsWith("FROM ")).count()).as(name + " stages").isGreaterThanOrEqualTo(2);
            assertThat(text).as(name).contains("COPY --from=build").containsPattern("(?m)^USER latentwatch$")
                    .contains("MaxRAMPercentage").contains("HEALTHCHECK");
        }
        assertThat(Files.readString(DOCKER.resolve("Dockerfile.streaming"))).contains("/health/ready").contains("EXPOSE 8080");
    }

    private static Properties serviceProperties() throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(DOCKER.resolve("latentwatch.properties"))) {
            props.load(r);
        }
        return props;
    }
}
