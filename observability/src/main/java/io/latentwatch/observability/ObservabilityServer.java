package io.latentwatch.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.latentwatch.observability.internals.AlertFeed;
import io.latentwatch.observability.internals.DashboardData;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP side (the JDK's HTTP server, no framework):
 *
 * <ul>
 *   <li>{@code /metrics}: Prometheus text format;</li>
 *   <li>{@code /health/live}: 200 unless Kafka Streams failed (ERROR), for liveness probes;</li>
 *   <li>{@code /health/ready}: 200 only while Kafka Streams is RUNNING, for readiness probes;</li>
 *   <li>{@code /} and {@code /dashboard/}: the live dashboard, polling {@code /api/dashboard} every second.</li>
 * </ul>
 *
 * <pre>{@code
 * LatentwatchMetrics metrics = LatentwatchMetrics.forService(settings, bundle);
 * try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(settings, bundle, metrics)) {
 *     app.start();
 *     try (ObservabilityServer http = ObservabilityServer.start(ObservabilityConfig.defaults(), app, metrics)) {
 *         System.out.println("dashboard: " + http.dashboardUrl());
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class ObservabilityServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObservabilityServer.class);
    private static final String DASHBOARD_RESOURCES = "/io/latentwatch/observability/dashboard/";
    private static final String CHARTJS_PATH = "/webjars/chart.js/chart.umd.min.js";
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    private final HttpServer server;
    private final ExecutorService executor;
    private final AlertFeed alertFeed;
    private final String chartJsResource;

    private ObservabilityServer(ObservabilityConfig config, LatentwatchStreamsApp app, LatentwatchMetrics metrics) {
        this.chartJsResource = "/META-INF/resources/webjars/chart.js/" + webjarVersion("chart.js") + "/dist/chart.umd.min.js";
        KafkaStreams streams = app.kafkaStreams();
        metrics.bindKafkaStreams(streams, app.settings().inputTopic());
        InetSocketAddress address = new InetSocketAddress(config.httpAddress(), config.httpPort());
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(ObservabilityConfig.HTTP_ADDRESS_CONFIG + "=" + config.httpAddress()
                    + ": unknown host");
        }
        try {
            server = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.httpAddress() + ":" + config.httpPort()
                    + " (" + e.getMessage() + "); set " + ObservabilityConfig.HTTP_PORT_CONFIG + " to a free port, or 0 for any", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve HTTP on " + config.httpAddress() + ":" + config.httpPort(), e);
        }
        this.alertFeed = AlertFeed.start(app.settings(), config.latestAlerts());
        Supplier<KafkaStreams.State> state = streams::state;
        DashboardData dashboard = new DashboardData(metrics, () -> state.get().name(), alertFeed::latest);

        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/health/live", ex -> {
            KafkaStreams.State s = state.get();
            boolean live = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR;
            respond(ex, live ? 200 : 503, "application/json", health(live, s));
        });
        server.createContext("/health/ready", ex -> {
            KafkaStreams.State s = state.get();
            boolean ready = s == KafkaStreams.State.RUNNING;
            respond(ex, ready ? 200 : 503, "application/json", health(ready, s));
        });
        server.createContext("/api/dashboard", ex -> respond(ex, 200, "application/json", dashboard.json()));
        server.createContext(CHARTJS_PATH, ex -> resource(ex, chartJsResource, "text/javascript; charset=utf-8"));
        server.createContext("/dashboard/", this::dashboardFile);
        server.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/")) {
                ex.getResponseHeaders().set("Location", "/dashboard/");
                respond(ex, 302, "text/plain", "see /dashboard/");
            } else {
                respond(ex, 404, "text/plain", "not found: " + ex.getRequestURI().getPath());
            }
        });
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "latentwatch-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        LOG.info("event=http_started address={} port={} dashboard={}", config.httpAddress(), port(), dashboardUrl());
    }

    /**
     * Binds the Kafka Streams metrics of {@code app} into {@code metrics}, starts reading its alerts topic for the
     * dashboard (the topic must exist: call after {@link LatentwatchStreamsApp#start()}), and serves HTTP.
     *
     * @throws IllegalStateException when the address/port cannot be bound (the message names the key to change)
     */
    public static ObservabilityServer start(ObservabilityConfig config, LatentwatchStreamsApp app, LatentwatchMetrics metrics) {
        return new ObservabilityServer(config, app, metrics);
    }

    /** The bound port (useful with {@code http.port=0}). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}, with 127.0.0.1 for a wildcard bind. */
    public String baseUrl() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + a.getPort();
    }

    /** The dashboard's address. */
    public String dashboardUrl() {
        return baseUrl() + "/dashboard/";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        alertFeed.close();
    }

    private void dashboardFile(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring("/dashboard/".length());
        if (name.isEmpty()) {
            name = "index.html";
        }
        if (!name.matches("[a-z]+\\.(html|js|css)")) {
            respond(ex, 404, "text/plain", "not found: " + ex.getRequestURI().getPath());
            return;
        }
        resource(ex, DASHBOARD_RESOURCES + name, CONTENT_TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
    }

    private static void resource(HttpExchange ex, String resource, String contentType) throws IOException {
        try (InputStream in = ObservabilityServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                respond(ex, 404, "text/plain", "not found: " + ex.getRequestURI().getPath());
                return;
            }
            send(ex, 200, contentType, in.readAllBytes());
        }
    }

    private static String health(boolean up, KafkaStreams.State state) {
        return "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"state\":\"" + state + "\"}";
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                byte[] msg = "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The version of a WebJar on the class path, from its Maven metadata (so the page never names a version). */
    static String webjarVersion(String artifactId) {
        String path = "/META-INF/maven/org.webjars.npm/" + artifactId + "/pom.properties";
        try (InputStream in = ObservabilityServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the WebJar org.webjars.npm:" + artifactId + " is missing from the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
