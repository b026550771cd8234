package io.latentwatch.app;

import io.latentwatch.broker.KafkaEndpoint;
import io.latentwatch.broker.KafkaEndpoints;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.data.AnomalyWindows;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.observability.LatentwatchMetrics;
import io.latentwatch.observability.ObservabilityConfig;
import io.latentwatch.observability.ObservabilityServer;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.FeatureContribution;
import io.latentwatch.streaming.AlertScoring;
import io.latentwatch.streaming.LatentwatchSerdes;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.StreamsSettings;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.TrainingResult;
import io.latentwatch.trainer.report.TrainingReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latentwatch demo}: broker, training, streaming and alerts on bundled NAB series, end to end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Starts a broker, trains a model on the first 15%% of four bundled NAB series, streams "
                + "the rest through the scoring topology and prints each alert episode event (OPEN, UPDATE, CLOSE) as "
                + "it arrives.",
                "Ends with: summary: scored=<n> alerts=<n> dlq=<n> records_per_s=<x> windows_hit=<k>/<m>",
                "Kafka: KAFKA_BOOTSTRAP if set, else Testcontainers when Docker runs, else an embedded broker "
                        + "on 127.0.0.1.",
                "Exit codes: 0 every record scored, 1 records missing at the deadline."})
final class DemoCommand implements Callable<Integer> {
    static final String[] SERIES = {"art_daily_jumpsup", "art_daily_jumpsdown", "art_daily_flatmiddle", "art_daily_nojump"};

    @Option(names = "--follow", description = "Keep serving and printing alerts after the summary, until Ctrl-C.")
    boolean follow;
    @Option(names = "--window", defaultValue = "48", description = "Window length in records (default: ${DEFAULT-VALUE}).")
    int window;
    @Option(names = "--training-fraction", defaultValue = "0.15",
            description = "Leading share of each series used for training (default: ${DEFAULT-VALUE}).")
    double trainingFraction;
    @Option(names = "--epochs", defaultValue = "300", description = "Maximum training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--hidden", split = ",", defaultValue = "128,64", description = "Encoder hidden widths (default: ${DEFAULT-VALUE}).")
    List<Integer> hidden;
    @Option(names = "--latent", defaultValue = "8", description = "Latent width (default: ${DEFAULT-VALUE}).")
    int latent;
    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the bundle, plots and streams state go (default: a new temp directory).")
    Path workDir;
    @Option(names = "--timeout", defaultValue = "PT150S",
            description = "Deadline for all records to be scored, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeout;
    @Option(names = "--episode-cooldown", defaultValue = "PT30M",
            description = "An alert episode closes at the first normal record this long (event time) after its last "
                    + "anomalous one, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration episodeCooldown;
    @Option(names = "--alert-score", defaultValue = "RECONSTRUCTION", paramLabel = "BASIS",
            description = "alerts.score: reconstruction or likelihood (default: ${DEFAULT-VALUE}).")
    AlertScoring.Basis alertScore;
    @Option(names = "--range-tolerance", defaultValue = "0", paramLabel = "X",
            description = "alerts.range.tolerance: a value outside the range its series has shown, widened by this share "
                    + "of the range on each side, is a CRITICAL anomaly at once (default: ${DEFAULT-VALUE}, off).")
    double rangeTolerance;
    @Option(names = "--quiet-alerts", description = "Count alert events but do not print each one.")
    boolean quietAlerts;
    @Option(names = "--http-port", defaultValue = "8080",
            description = "Port of the dashboard and /metrics on 127.0.0.1; 0 = any free port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        long demoStart = System.nanoTime();
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("latentwatch-demo-");
        List<TimeSeries> series = new ArrayList<>();
        for (String s : SERIES) {
            series.add(TimeSeries.read(extract(dir.resolve("data"), s + ".csv")));
        }
        AnomalyWindows labels;
        try (InputStream in = resource("combined_windows.json")) {
            labels = AnomalyWindows.read(in, "combined_windows.json");
        }

        step(1, "Kafka");
        long t0 = System.nanoTime();
        try (KafkaEndpoint kafka = KafkaEndpoints.start()) {
            out.printf("      %s broker at %s (ready in %.1f s)%n", kafka.kind(), kafka.bootstrapServers(), secondsSince(t0));

            step(2, "Training");
            TrainingData data = TrainingData.fromSeries("bundled NAB series " + String.join(",", SERIES), series,
                    window, trainingFraction);
            out.printf("      dense autoencoder on the first %.0f%% of %d series: %,d windows of %d values%n",
                    trainingFraction * 100, series.size(), data.rows().length, window);
            TrainingConfig config = TrainingConfig.defaults().withModelId("nab-demo").withModelVersion("1")
                    .withHiddenLayers(hidden).withLatentDim(latent).withEpochs(epochs).withPatience(8)
                    .withProgress(true);
            t0 = System.nanoTime();
            Path bundleDir = dir.resolve("bundle");
            TrainingResult trained = AutoencoderTrainer.train(data, config, bundleDir);
            TrainingReport.write(trained, dir);
            ModelBundle bundle = trained.bundle();
            out.printf("      %d epochs in %.1f s; thresholds warning=%.4g critical=%.4g; bundle %s (plots in %s)%n",
                    trained.trainLoss().size(), secondsSince(t0), bundle.manifest().thresholds().warning(),
                    bundle.manifest().thresholds().critical(), bundleDir, dir);

            step(3, "Streaming");
            Map<String, Object> props = new HashMap<>();
            props.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "latentwatch-demo-" + System.currentTimeMillis());
            props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundleDir.toString());
            props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            // The series step 5 minutes: a short cooldown keeps a flickering anomaly one episode, and severity
            // changes are reported at most every 15 minutes of series time.
            props.put(LatentwatchStreamsConfig.EPISODE_COOLDOWN_MS_CONFIG, episodeCooldown.toMillis());
            props.put(LatentwatchStreamsConfig.ALERT_SCORE_CONFIG, alertScore.configName());
            props.put(LatentwatchStreamsConfig.RANGE_TOLERANCE_CONFIG, rangeTolerance);
            props.put(LatentwatchStreamsConfig.EPISODE_UPDATE_INTERVAL_MS_CONFIG, Duration.ofMinutes(15).toMillis());
            StreamsSettings settings = LatentwatchStreamsConfig.fromMap(props).toSettings();
            try (LatentwatchMetrics metrics = LatentwatchMetrics.forService(settings, bundle);
                 LatentwatchStreamsApp app = new LatentwatchStreamsApp(settings, bundle, metrics)) {
            app.start();
                try (ObservabilityServer http = startHttp(app, metrics)) {
                    app.awaitRunning(Duration.ofSeconds(60));
                    out.printf("      topology RUNNING: %s -> %s, %s, dead letters to %s%n", settings.inputTopic(),
                            settings.latentsTopic(), settings.alertsTopic(), settings.dlqTopic());
                    out.printf("      dashboard: %s  (Prometheus metrics at %s/metrics)%n", http.dashboardUrl(), http.baseUrl());
                    return stream(kafka, settings, series, labels, demoStart);
                }
            }
        }
    }

    /** The dashboard on 127.0.0.1:{@code --http-port}, or on any free port when that one is taken. */
    private ObservabilityServer startHttp(LatentwatchStreamsApp app, LatentwatchMetrics metrics) {
        Map<String, Object> http = Map.of(ObservabilityConfig.HTTP_PORT_CONFIG, httpPort);
        try {
            return ObservabilityServer.start(ObservabilityConfig.fromMap(http), app, metrics);
        } catch (IllegalStateException e) {
            if (httpPort == 0) {
                throw e;
            }
            out.printf("      port %d is taken; the dashboard uses a free port instead%n", httpPort);
            return ObservabilityServer.start(ObservabilityConfig.fromMap(Map.of(ObservabilityConfig.HTTP_PORT_CONFIG, 0)),
                    app, metrics);
        }
    }

    private int stream(KafkaEndpoint kafka, StreamsSettings settings, List<TimeSeries> series, AnomalyWindows labels,
                       long demoStart) throws Exception {
        int[] firstScored = new int[series.size()];
        long expected = 0;
        long[] replayFrom = new long[series.size()];
        for (int i = 0; i < series.size(); i++) {
            firstScored[i] = (int) Math.floor(series.get(i).size() * trainingFraction);
            expected += series.get(i).size() - firstScored[i];
            replayFrom[i] = series.get(i).timestamps()[firstScored[i]];
        }
        int malformed = 2;
        step(4, "Publishing");
        out.printf("      %,d records to '%s' (each series from %d records before the training cut, so windows "
                + "fill), plus %d malformed records to show the dead-letter topic%n", expected, settings.inputTopic(),
                window - 1, malformed);

        AtomicLong firstSend = new AtomicLong();
        AtomicReference<Exception> producerError = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                produce(kafka.bootstrapServers(), settings.inputTopic(), series, firstScored, firstSend);
            } catch (Exception e) {
                producerError.set(e);
            }
        }, "demo-producer");
        producer.start();

        Map<String, List<AnomalyWindows.Window>> windowsBySeries = new HashMap<>();
        int m = 0;
        for (int i = 0; i < series.size(); i++) {
            List<AnomalyWindows.Window> ws = new ArrayList<>();
            for (AnomalyWindows.Window w : labels.forSeries(SERIES[i])) {
                if (w.end() >= replayFrom[i]) {
                    ws.add(w);
                }
            }
            m += ws.size();
            windowsBySeries.put(SERIES[i], ws);
        }
        Set<AnomalyWindows.Window> hit = new java.util.HashSet<>();
        long scored = 0;
        long alerts = 0;
        long dlq = 0;
        long lastScoredAt = System.nanoTime();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = outputConsumer(kafka.bootstrapServers())) {
            consumer.subscribe(List.of(settings.latentsTopic(), settings.alertsTopic(), settings.dlqTopic()));
            while ((scored < expected || dlq < malformed) && System.nanoTime() < deadline) {
                if (producerError.get() != null) {
                    throw producerError.get();
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(settings.latentsTopic())) {
                        scored++;
                        lastScoredAt = System.nanoTime();
                    } else if (r.topic().equals(settings.dlqTopic())) {
                        dlq++;
                        var reason = r.headers().lastHeader("latentwatch.reason");
                        out.printf("DEAD LETTER  reason=%s%n", reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8));
                    } else {
                        alerts++;
                        Alert a = LatentwatchSerdes.decodeAlert(r.value());
                        // The episode so far (OPEN, UPDATE) or in all (CLOSE): from its first anomalous record on.
                        long from = a.getEpisodeStart() == null ? a.getTimestamp() : a.getEpisodeStart();
                        long to = from + a.getDurationMs();
                        for (AnomalyWindows.Window w : windowsBySeries.getOrDefault(a.getEntity(), List.of())) {
                            if (w.start() <= to && from <= w.end()) {
                                hit.add(w);
                            }
                        }
                        if (!quietAlerts) {
                            out.println(format(a));
                        }
                    }
                }
            }
            producer.join();
            double seconds = Math.max(1e-9, (lastScoredAt - firstSend.get()) / 1e9);
            step(5, "Summary");
            out.printf("      demo took %.1f s in all; model %s@%s%n", secondsSince(demoStart), "nab-demo", "1");
            out.printf(Locale.ROOT, "summary: scored=%d alerts=%d dlq=%d records_per_s=%.1f windows_hit=%d/%d%n",
                    scored, alerts, dlq, scored / seconds, hit.size(), m);
            out.flush();
            if (scored < expected) {
                System.err.printf("latentwatch demo: only %d of %d records were scored before the deadline %s%n",
                        scored, expected, timeout);
                return 1;
            }
            if (follow) {
                out.println("--follow: serving until Ctrl-C; publish JSON to '" + settings.inputTopic() + "' at "
                        + kafka.bootstrapServers());
                CountDownLatch stop = new CountDownLatch(1);
                java.lang.Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                while (stop.getCount() > 0) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.topic().equals(settings.alertsTopic())) {
                            out.println(format(LatentwatchSerdes.decodeAlert(r.value())));
                        }
                    }
                }
            }
            return 0;
        }
    }

    private void produce(String bootstrap, String topic, List<TimeSeries> series, int[] firstScored, AtomicLong firstSend)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            firstSend.set(System.nanoTime());
            int longest = series.stream().mapToInt(TimeSeries::size).max().orElse(0);
            // All four series share timestamps: send them interleaved in event-time order.
            for (int t = 0; t < longest; t++) {
                for (int i = 0; i < series.size(); i++) {
                    TimeSeries s = series.get(i);
                    if (t < firstScored[i] - (window - 1) || t >= s.size()) {
                        continue;
                    }
                    String json = String.format(Locale.ROOT, "{\"entity\":\"%s\",\"timestamp\":%d,\"values\":[%s]}",
                            SERIES[i], s.timestamps()[t], Float.toString(s.values()[t]));
                    producer.send(new ProducerRecord<>(topic, null, s.timestamps()[t],
                            SERIES[i].getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
                }
            }
            byte[] key = "bad-sensor".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, key, "{\"entity\": \"bad-sensor\", \"values\": [1.0,".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(topic, key,
                    "{\"entity\":\"bad-sensor\",\"timestamp\":0,\"values\":[1.0,2.0]}".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }

    private static KafkaConsumer<byte[], byte[]> outputConsumer(String bootstrap) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "latentwatch-demo-reader-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // only what the transactions committed
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(c);
    }

    /**
     * One line per episode event, e.g.
     * {@code ALERT OPEN   CRITICAL art_daily_jumpsup      2014-04-11 09:00:00 score=0.91 top=value[t] (...)} and
     * {@code ALERT CLOSE  CRITICAL art_daily_jumpsup      2014-04-11 11:05:00 peak=2.4 lasted 1h55m since 2014-04-11 09:00:00}.
     */
    static String format(Alert a) {
        StringBuilder top = new StringBuilder();
        if (!a.getTopFeatures().isEmpty()) {
            FeatureContribution f = a.getTopFeatures().get(0);
            top.append(String.format(Locale.ROOT, "top=%s (observed %.4g, reconstructed %.4g, %.0f%% of error)",
                    f.getName(), f.getObserved(), f.getReconstructed(), 100 * f.getShare()));
        }
        if (!a.getOutOfRange().isEmpty()) {
            top.append(top.isEmpty() ? "" : " ").append("outside_range=").append(String.join(",", a.getOutOfRange()));
        }
        String head = String.format(Locale.ROOT, "ALERT %-6s %-8s %-22s %s", a.getEvent(), a.getSeverity(),
                a.getEntity(), TimeSeries.formatTimestamp(a.getTimestamp()));
        double peak = a.getPeakScore() == null ? a.getScore() : a.getPeakScore();
        String since = a.getEpisodeStart() == null ? "" : " since " + TimeSeries.formatTimestamp(a.getEpisodeStart());
        return switch (a.getEvent()) {
            case OPEN -> String.format(Locale.ROOT, "%s score=%.4g %s", head, a.getScore(), top);
            case UPDATE -> String.format(Locale.ROOT, "%s score=%.4g peak=%.4g for %s%s %s", head, a.getScore(), peak,
                    duration(a.getDurationMs()), since, top);
            case CLOSE -> String.format(Locale.ROOT, "%s peak=%.4g lasted %s%s peak %s", head, peak,
                    duration(a.getDurationMs()), since, top);
        };
    }

    private static String duration(long millis) {
        Duration d = Duration.ofMillis(millis);
        return d.toHours() > 0 ? String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }

    private void step(int n, String what) {
        out.printf("[%d/5] %s%n", n, what);
        out.flush();
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    private static InputStream resource(String name) {
        InputStream in = DemoCommand.class.getResourceAsStream("/demo/nab/" + name);
        if (in == null) {
            throw new IllegalStateException("the app jar lacks the demo resource " + name);
        }
        return in;
    }

    private static Path extract(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name);
        try (InputStream in = resource(name)) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
