package io.latentwatch.app;

import io.latentwatch.core.bundle.InvalidBundleException;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.observability.LatentwatchMetrics;
import io.latentwatch.observability.ObservabilityConfig;
import io.latentwatch.observability.ObservabilityServer;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.StreamsSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code latentwatch serve}: runs the scoring service until it is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the Kafka Streams scoring service: input topic -> latent codes, alerts, dead letters.",
                "Settings come from --config (a .properties file) and --set key=value (which wins). Keys prefixed "
                        + "'kafka.' pass to the Kafka clients unchanged (TLS/SASL).",
                "HTTP (http.address, default 127.0.0.1; http.port, default 8080, 0 = any free port): /metrics "
                        + "(Prometheus), /health/live, /health/ready and the dashboard at /dashboard/.",
                "Stops gracefully on SIGTERM or Ctrl-C. Exit codes: 0 stopped, 2 bad configuration or bundle."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Properties file with latentwatch settings.")
    Path config;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting, e.g. --set model.bundle=/models/m1.")
    Map<String, String> overrides = new HashMap<>();
    @Option(names = "--bundle", paramLabel = "DIR", description = "Shorthand for --set model.bundle=DIR.")
    Path bundle;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> props = new HashMap<>();
        if (config != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(config)) {
                p.load(r);
            } catch (IOException e) {
                System.err.println("latentwatch serve: cannot read " + config + ": " + e.getMessage());
                return 2;
            }
            p.forEach((k, v) -> props.put(k.toString(), v.toString()));
        }
        props.putAll(overrides);
        if (bundle != null) {
            props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.toString());
        }
        StreamsSettings settings;
        ModelBundle model;
        ObservabilityConfig http;
        try {
            http = ObservabilityConfig.fromMap(props);
            props.keySet().removeIf(ObservabilityConfig::defines); // the streaming config warns about keys it does not know
            settings = LatentwatchStreamsConfig.fromMap(props).toSettings();
            model = ModelBundle.load(settings.modelBundle());
            LatentwatchStreamsApp.checkStateDir(settings.stateDir()); // before Kafka Streams fails on it with a trace
        } catch (ConfigException | InvalidBundleException | IllegalArgumentException e) {
            System.err.println("latentwatch serve: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (LatentwatchMetrics metrics = LatentwatchMetrics.forService(settings, model);
             LatentwatchStreamsApp app = new LatentwatchStreamsApp(settings, model, metrics)) {
            app.start();
            ObservabilityServer server;
            try {
                server = http.httpEnabled() ? ObservabilityServer.start(http, app, metrics) : null;
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("latentwatch serve: " + e.getMessage());
                return 2;
            }
            Thread hook = new Thread(() -> {
                app.close();
                if (server != null) {
                    server.close();
                }
                stopped.countDown();
            }, "latentwatch-shutdown");
            java.lang.Runtime.getRuntime().addShutdownHook(hook);
            if (server != null) {
                System.out.println("dashboard: " + server.dashboardUrl() + " metrics: " + server.baseUrl() + "/metrics");
            }
            app.awaitRunning(Duration.ofMinutes(2));
            stopped.await();
        }
        return 0;
    }
}
