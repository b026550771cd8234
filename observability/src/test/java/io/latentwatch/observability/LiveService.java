package io.latentwatch.observability;

import io.latentwatch.broker.KafkaEndpoint;
import io.latentwatch.broker.KafkaEndpoints;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.StreamsSettings;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real service for the end-to-end tests: a Kafka broker, a small model trained here with DJL, the streaming app
 * and the HTTP server on a free port. Started once per test class.
 */
final class LiveService implements AutoCloseable {
    final KafkaEndpoint kafka;
    final StreamsSettings settings;
    final LatentwatchMetrics metrics;
    final LatentwatchStreamsApp app;
    final ObservabilityServer http;
    private final Random random = new Random(11);
    private final HttpClient client = HttpClient.newHttpClient();
    private long sent;

    LiveService(Path dir) throws Exception {
        kafka = KafkaEndpoints.start();
        Random r = new Random(7);
        float[][] rows = new float[2000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = normal(r);
        }
        ModelBundle bundle = AutoencoderTrainer.train(
                TrainingData.fromRows("synthetic line", List.of("a", "b", "c", "d"), rows),
                TrainingConfig.defaults().withModelId("dash-test").withModelVersion("7").withHiddenLayers(List.of(16))
                        .withLatentDim(2).withEpochs(20).withLearningRate(5e-3).withPatience(5),
                dir.resolve("bundle")).bundle();
        String suffix = Long.toString(System.nanoTime());
        Map<String, Object> props = new HashMap<>();
        props.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "dash-" + suffix);
        props.put(LatentwatchStreamsConfig.INPUT_TOPIC_CONFIG, "obs-" + suffix);
        props.put(LatentwatchStreamsConfig.LATENTS_TOPIC_CONFIG, "latents-" + suffix);
        props.put(LatentwatchStreamsConfig.ALERTS_TOPIC_CONFIG, "alerts-" + suffix);
        props.put(LatentwatchStreamsConfig.DLQ_TOPIC_CONFIG, "dlq-" + suffix);
        props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
        props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(dir.resolve("state")).toString());
        settings = LatentwatchStreamsConfig.fromMap(props).toSettings();
        metrics = LatentwatchMetrics.forService(settings, bundle);
        app = new LatentwatchStreamsApp(settings, bundle, metrics);
        app.start();
        http = ObservabilityServer.start(ObservabilityConfig.fromMap(Map.of(ObservabilityConfig.HTTP_PORT_CONFIG, 0)), app, metrics);
        if (!app.awaitRunning(Duration.ofSeconds(90))) {
            throw new IllegalStateException("the app did not reach RUNNING: " + app.state());
        }
    }

    /** Four features on a line; anomalies break the relation between them. */
    static float[] normal(Random r) {
        float x = (float) r.nextGaussian();
        return new float[] {x, 2 * x + 10, x + 0.05f * (float) r.nextGaussian(), -x};
    }

    /** Sends {@code records} JSON records (every 100th an anomaly) and {@code malformed} broken ones. */
    void produce(int records, int malformed) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < records; i++) {
                String entity = "sensor-" + (i % 5);
                float[] v = i % 100 == 50 ? new float[] {3f, 0f, -3f, 3f} : normal(random);
                String json = String.format(Locale.ROOT, "{\"entity\":\"%s\",\"timestamp\":%d,\"values\":[%s,%s,%s,%s]}",
                        entity, System.currentTimeMillis(), v[0], v[1], v[2], v[3]);
                producer.send(new ProducerRecord<>(settings.inputTopic(), entity.getBytes(StandardCharsets.UTF_8),
                        json.getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < malformed; i++) {
                producer.send(new ProducerRecord<>(settings.inputTopic(), "bad".getBytes(StandardCharsets.UTF_8),
                        "{\"entity\": \"bad\", \"values\": [1.0,".getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        sent += records + malformed;
    }

    /** Every record sent so far has been scored or dead-lettered (as /metrics counts them). */
    boolean allAccountedFor() {
        Map<String, Double> m = PrometheusText.parse(get("/metrics").body());
        double dead = m.entrySet().stream().filter(e -> e.getKey().startsWith("latentwatch_records_dead_lettered_total"))
                .mapToDouble(Map.Entry::getValue).sum();
        return m.getOrDefault("latentwatch_records_scored_total", 0.0) + dead >= sent;
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path)).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a condition, failing with {@code what} if it does not hold within {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting after " + timeout + " for: " + what);
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        http.close();
        app.close();
        metrics.close();
        kafka.close();
    }
}
