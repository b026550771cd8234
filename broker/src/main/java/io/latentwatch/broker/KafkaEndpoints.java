package io.latentwatch.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the Kafka cluster for the demo and the tests, in this order:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP} (environment variable) when set: an external cluster, nothing is started;</li>
 *   <li>a Testcontainers {@code org.testcontainers.kafka.KafkaContainer} ({@value #DEFAULT_IMAGE}) when Docker
 *       answers;</li>
 *   <li>otherwise an {@link EmbeddedKafkaBroker} on 127.0.0.1.</li>
 * </ol>
 * {@code LATENTWATCH_KAFKA} (environment) or {@code latentwatch.kafka} (system property) set to
 * {@code embedded} or {@code testcontainers} skips the choice; {@code LATENTWATCH_KAFKA_IMAGE} changes the image.
 * The Docker probe never throws and is skipped outright when no Docker endpoint is configured, so a machine
 * without Docker pays nothing for it.
 */
public final class KafkaEndpoints {

    /** Environment variable naming an external cluster. */
    public static final String ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP";
    /** Environment variable forcing {@code embedded} or {@code testcontainers}. */
    public static final String ENV_MODE = "LATENTWATCH_KAFKA";
    /** System property forcing {@code embedded} or {@code testcontainers}; wins over {@link #ENV_MODE}. */
    public static final String PROP_MODE = "latentwatch.kafka";
    /** Environment variable overriding the Testcontainers image. */
    public static final String ENV_IMAGE = "LATENTWATCH_KAFKA_IMAGE";
    /** Apache Kafka image, same version as the Kafka jars of this build. */
    public static final String DEFAULT_IMAGE = "apache/kafka:4.3.1";
    /** Upper bound on the Testcontainers Docker probe when a Docker endpoint is configured but slow. */
    static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(15);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEndpoints.class);

    private KafkaEndpoints() {
    }

    /**
     * Picks and, where needed, starts a Kafka cluster. Logs one line saying which and why.
     *
     * @return the endpoint; close it to stop what was started
     */
    public static KafkaEndpoint start() {
        return start(System.getenv(), System.getProperty(PROP_MODE));
    }

    static KafkaEndpoint start(Map<String, String> env, String modeProperty) {
        String bootstrap = trimToNull(env.get(ENV_BOOTSTRAP));
        if (bootstrap != null) {
            LOG.info("Kafka: external cluster {} ({} is set)", bootstrap, ENV_BOOTSTRAP);
            return KafkaEndpoint.external(bootstrap);
        }
        String mode = trimToNull(modeProperty != null ? modeProperty : env.get(ENV_MODE));
        mode = mode == null ? "auto" : mode.toLowerCase(Locale.ROOT);
        String image = trimToNull(env.get(ENV_IMAGE)) != null ? env.get(ENV_IMAGE).trim() : DEFAULT_IMAGE;
        switch (mode) {
            case KafkaEndpoint.EMBEDDED:
                return embedded("forced by " + ENV_MODE + "/" + PROP_MODE);
            case KafkaEndpoint.TESTCONTAINERS:
                LOG.info("Kafka: Testcontainers {} (forced by {}/{})", image, ENV_MODE, PROP_MODE);
                return TestcontainersKafka.start(image);
            case "auto":
                break;
            default:
                throw new IllegalArgumentException(ENV_MODE + "=" + mode + ": expected embedded or testcontainers");
        }
        String docker = dockerAvailability(env);
        if (docker == null) {
            try {
                KafkaEndpoint endpoint = TestcontainersKafka.start(image);
                LOG.info("Kafka: Testcontainers {} at {} ({} unset, Docker available)",
                        image, endpoint.bootstrapServers(), ENV_BOOTSTRAP);
                return endpoint;
            } catch (RuntimeException | LinkageError e) {
                return embedded("Docker is available but the Testcontainers broker failed: " + e);
            }
        }
        return embedded(ENV_BOOTSTRAP + " unset, " + docker);
    }

    private static KafkaEndpoint embedded(String why) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        LOG.info("Kafka: embedded broker at {}, up in {} ms ({})",
                broker.bootstrapServers(), broker.lastStartupTime().toMillis(), why);
        return KafkaEndpoint.embedded(broker);
    }

    /** @return null when Docker answers, else why it is not used */
    static String dockerAvailability(Map<String, String> env) {
        List<Path> hints = dockerHints(env);
        boolean configured = trimToNull(env.get("DOCKER_HOST")) != null || trimToNull(env.get("TESTCONTAINERS_HOST")) != null
                || System.getProperty("docker.host") != null || hints.stream().anyMatch(Files::exists);
        if (!configured) {
            return "no Docker endpoint (no DOCKER_HOST, no docker.sock, no Testcontainers or Docker context config)";
        }
        CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(TestcontainersKafka::dockerAvailable,
                r -> {
                    Thread t = new Thread(r, "latentwatch-docker-probe");
                    t.setDaemon(true);
                    t.start();
                });
        try {
            return probe.get(DOCKER_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    ? null : "Docker is configured but does not answer";
        } catch (java.util.concurrent.TimeoutException e) {
            return "Docker probe timed out after " + DOCKER_PROBE_TIMEOUT.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted during the Docker probe";
        } catch (Exception e) {
            return "Docker probe failed: " + e;
        }
    }

    private static List<Path> dockerHints(Map<String, String> env) {
        String home = System.getProperty("user.home", "");
        List<Path> paths = new ArrayList<>(List.of(
                Paths.get("/var/run/docker.sock"),
                Paths.get(home, ".testcontainers.properties"),
                Paths.get(home, ".docker", "run", "docker.sock"),
                Paths.get(home, ".docker", "desktop", "docker.sock"),
                Paths.get(home, ".colima", "default", "docker.sock"),
                Paths.get(home, ".rd", "docker.sock"),
                Paths.get(home, ".orbstack", "run", "docker.sock")));
        String xdg = trimToNull(env.get("XDG_RUNTIME_DIR"));
        if (xdg != null) {
            paths.add(Paths.get(xdg, "docker.sock"));
        }
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            paths.add(Paths.get("\\\\.\\pipe\\docker_engine"));
        }
        if (dockerContextConfigured(Paths.get(home, ".docker", "config.json")) || trimToNull(env.get("DOCKER_CONTEXT")) != null) {
            paths.add(Paths.get(home, ".docker", "config.json"));
        }
        return paths;
    }

    private static boolean dockerContextConfigured(Path config) {
        try {
            return Files.isRegularFile(config) && Files.readString(config).contains("\"currentContext\"");
        } catch (Exception e) {
            return false;
        }
    }

    private static String trimToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
