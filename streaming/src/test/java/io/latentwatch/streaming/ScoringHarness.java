package io.latentwatch.streaming;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** A {@link TopologyTestDriver} around {@link ScoringTopology}, with the trained models the tests share. */
final class ScoringHarness implements AutoCloseable {
    static final List<String> TABULAR_FEATURES = List.of("x", "twice", "noisy", "neg");
    static final int SERIES_WINDOW = 16;
    static final int SERIES_PERIOD = 40;

    final StreamsSettings settings;
    final ModelBundle bundle;
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> input;
    final TestOutputTopic<byte[], byte[]> latents;
    final TestOutputTopic<byte[], byte[]> alerts;
    final TestOutputTopic<byte[], byte[]> deadLetters;

    /**
     * @param overrides config keys on top of the test defaults (model.bundle and state.dir are set here; micro-batches
     *     of one unless overridden)
     */
    ScoringHarness(ModelBundle bundle, Path stateDir, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
        config.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "latentwatch-test");
        // Score each record as it arrives, so tests see outputs right after piping; MicroBatchingTest overrides it.
        config.put(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 1);
        config.putAll(overrides);
        LatentwatchStreamsConfig lw = LatentwatchStreamsConfig.fromMap(config);
        this.settings = lw.toSettings();
        this.bundle = bundle;
        this.driver = new TopologyTestDriver(ScoringTopology.build(settings, bundle), lw.toStreamsProperties());
        ByteArraySerializer ser = new ByteArraySerializer();
        ByteArrayDeserializer de = new ByteArrayDeserializer();
        this.input = driver.createInputTopic(settings.inputTopic(), ser, ser);
        this.latents = driver.createOutputTopic(settings.latentsTopic(), de, de);
        this.alerts = driver.createOutputTopic(settings.alertsTopic(), de, de);
        this.deadLetters = driver.createOutputTopic(settings.dlqTopic(), de, de);
    }

    void send(String key, byte[] value, long timestamp) {
        input.pipeInput(key == null ? null : utf8(key), value, timestamp);
    }

    void sendJson(String key, String json, long timestamp) {
        send(key, utf8(json), timestamp);
    }

    void send(String key, byte[] value, Headers headers, long timestamp) {
        input.pipeInput(new TestRecord<>(key == null ? null : utf8(key), value, headers, timestamp));
    }

    List<TestRecord<byte[], byte[]>> latentRecords() {
        return latents.readRecordsToList();
    }

    List<TestRecord<byte[], byte[]>> alertRecords() {
        return alerts.readRecordsToList();
    }

    List<LatentCode> readLatents() {
        return latents.readValuesToList().stream().map(LatentwatchSerdes::decodeLatentCode).toList();
    }

    List<Alert> readAlerts() {
        return alerts.readValuesToList().stream().map(LatentwatchSerdes::decodeAlert).toList();
    }

    private boolean closed;

    /** Closes the driver; a second call does nothing (tests close early, their base class closes all). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            driver.close();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String header(TestRecord<?, ?> record, String key) {
        var h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String json(String entity, long timestamp, float... values) {
        StringBuilder sb = new StringBuilder("{\"entity\":\"").append(entity).append("\",\"timestamp\":").append(timestamp)
                .append(",\"values\":[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ",").append(values[i]);
        }
        return sb.append("]}").toString();
    }

    /** A CRITICAL alert of entity "h" (score 2.5, thresholds 1 and 2, model m@1) written with an earlier schema. */
    static org.apache.avro.generic.GenericRecord oldAlert(org.apache.avro.Schema schema, long timestamp,
                                                          List<org.apache.avro.generic.GenericRecord> topFeatures) {
        var alert = new org.apache.avro.generic.GenericData.Record(schema);
        alert.put("entity", "h");
        alert.put("timestamp", timestamp);
        alert.put("score", 2.5);
        alert.put("warningThreshold", 1.0);
        alert.put("criticalThreshold", 2.0);
        alert.put("severity", new org.apache.avro.generic.GenericData.EnumSymbol(schema.getField("severity").schema(), "CRITICAL"));
        alert.put("modelId", "m");
        alert.put("modelVersion", "1");
        alert.put("topFeatures", topFeatures);
        return alert;
    }

    /** Single-object encoding of a record with its own (possibly earlier) schema. */
    static byte[] encode(org.apache.avro.Schema schema, org.apache.avro.generic.GenericRecord record) {
        try {
            java.nio.ByteBuffer buf = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                    org.apache.avro.generic.GenericData.get(), schema).encode(record);
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** x, 2x, x plus a little noise, -x: a one-dimensional manifold in four features. */
    static float[] correlated(float x, float noise) {
        return new float[] {x, 2 * x, x + noise, -x};
    }

    /** 1000 rows of {@link #correlated}, x standard normal, noise 0.05 standard normal; hidden [8], latent 2. */
    static ModelBundle trainTabular(Path dir) {
        Random r = new Random(42);
        float[][] rows = new float[1000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = correlated((float) r.nextGaussian(), 0.05f * (float) r.nextGaussian());
        }
        TrainingData data = TrainingData.fromRows("synthetic-correlated", TABULAR_FEATURES, rows);
        TrainingConfig config = TrainingConfig.defaults().withModelId("correlated").withModelVersion("7")
                .withHiddenLayers(List.of(8)).withLatentDim(2).withEpochs(30).withSeed(42)
                .withBatchSize(32).withLearningRate(5e-3).withPatience(30);
        return AutoencoderTrainer.train(data, config, dir.resolve("tabular")).bundle();
    }

    /**
     * A sine wave of period {@link #SERIES_PERIOD} plus a little noise; windows of {@link #SERIES_WINDOW}. The noise
     * spreads the validation errors the thresholds are calibrated on, so a clean sine lies well inside them.
     */
    static ModelBundle trainSeries(Path dir) {
        int n = 2000;
        Random r = new Random(42);
        long[] ts = new long[n];
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            ts[i] = 1_700_000_000_000L + 60_000L * i;
            values[i] = sine(i) + 0.05f * (float) r.nextGaussian();
        }
        TrainingData data = TrainingData.fromSeries("synthetic-sine",
                List.of(new TimeSeries(Path.of("sine.csv"), ts, values)), SERIES_WINDOW, 1.0);
        TrainingConfig config = TrainingConfig.defaults().withModelId("sine").withModelVersion("3")
                .withHiddenLayers(List.of(16)).withLatentDim(4).withEpochs(30).withSeed(42)
                .withBatchSize(32).withLearningRate(5e-3).withPatience(30);
        return AutoencoderTrainer.train(data, config, dir.resolve("series")).bundle();
    }

    static float sine(int i) {
        return (float) Math.sin(2 * Math.PI * i / SERIES_PERIOD);
    }
}
