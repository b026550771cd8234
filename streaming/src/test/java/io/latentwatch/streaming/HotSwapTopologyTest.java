package io.latentwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.streaming.internals.ModelSlot;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stream tasks switch to the model a {@link ModelSlot} holds at the next micro-batch, never inside one. */
class HotSwapTopologyTest {

    /** The same graph under another version (what a retrain with identical weights would register). */
    private static ModelBundle asVersion(ModelBundle b, String version, Path dir) {
        ModelManifest m = b.manifest();
        ModelManifest renamed = new ModelManifest(m.formatVersion(), m.modelId(), version, m.createdAt(), m.architecture(),
                m.featureNames(), m.windowLength(), m.inputWidth(), m.inputShape(), m.latentDim(), m.normalisation(),
                m.thresholds(), m.onnxSha256(), m.provenance());
        return ModelBundle.write(dir, renamed, b.onnxModel());
    }

    /** The settings of a topology serving {@code bundle} with its state under {@code dir}, plus {@code overrides}. */
    private static LatentwatchStreamsConfig config(Path dir, ModelBundle bundle, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(overrides);
        config.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
        config.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        return LatentwatchStreamsConfig.fromMap(config);
    }

    @Test
    void switchesBetweenTwoMicroBatchesAndTagsEveryOutputWithItsVersion(@TempDir Path dir) throws Exception {
        ModelBundle v7 = ScoringHarness.trainTabular(dir);
        ModelBundle v8 = asVersion(v7, "8", dir.resolve("v8"));
        LatentwatchStreamsConfig lw = config(dir, v7, Map.of(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 4,
                LatentwatchStreamsConfig.BATCH_MAX_WAIT_MS_CONFIG, 60_000));
        StreamsSettings settings = lw.toSettings();
        ModelSlot slot = new ModelSlot(v7, v7.manifest().thresholds());
        List<String> served = new ArrayList<>();
        List<List<Double>> thresholds = new ArrayList<>();
        ScoringMetrics metrics = new ScoringMetrics() {
            @Override
            public void modelServing(String modelId, String modelVersion, String executionProvider) {
                served.add(modelVersion);
            }

            @Override
            public void thresholdsInForce(double warning, double critical) {
                thresholds.add(List.of(warning, critical));
            }
        };
        try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(settings, v7, metrics, slot),
                lw.toStreamsProperties())) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(settings.inputTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(settings.latentsTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            for (int i = 0; i < 10; i++) { // two micro-batches of 4 scored by v7, 2 records left pending
                in.pipeInput(ScoringHarness.utf8("e"), ScoringHarness.utf8(ScoringHarness.json("e", i,
                        ScoringHarness.correlated(i * 0.1f, 0))), i);
            }
            Thresholds t7 = v7.manifest().thresholds();
            Thresholds t8 = new Thresholds(2 * t7.warning(), 2 * t7.critical(), Double.NaN, Double.NaN);
            slot.offer(v8, t8);
            for (int i = 10; i < 16; i++) { // the pending 2 and these go out in the next two micro-batches, by v8
                in.pipeInput(ScoringHarness.utf8("e"), ScoringHarness.utf8(ScoringHarness.json("e", i,
                        ScoringHarness.correlated(i * 0.1f, 0))), i);
            }
            driver.advanceWallClockTime(Duration.ofMillis(60_000)); // the last batch may still be on the scoring thread
            List<String> versions = new ArrayList<>();
            List<Long> timestamps = new ArrayList<>();
            for (TestRecord<byte[], byte[]> r : out.readRecordsToList()) {
                LatentCode c = LatentCode.fromByteBuffer(ByteBuffer.wrap(r.value()));
                versions.add(c.getModelVersion());
                timestamps.add(c.getTimestamp());
            }
            assertThat(timestamps).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
            assertThat(versions).containsExactly("7", "7", "7", "7", "7", "7", "7", "7", "8", "8", "8", "8", "8", "8", "8", "8");
            assertThat(served).containsExactly("7", "8");
            assertThat(thresholds).as("the thresholds gauge follows the swap")
                    .containsExactly(List.of(t7.warning(), t7.critical()), List.of(t8.warning(), t8.critical()));
        }
    }

    @Test
    void likelihoodStatisticsStartAfreshWithTheSwappedInModel(@TempDir Path dir) throws Exception {
        ModelBundle v7 = ScoringHarness.trainTabular(dir);
        ModelBundle v8 = asVersion(v7, "8", dir.resolve("v8"));
        LatentwatchStreamsConfig lw = config(dir, v7, Map.of(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 1,
                LatentwatchStreamsConfig.ALERT_SCORE_CONFIG, "likelihood", LatentwatchStreamsConfig.LIKELIHOOD_MIN_HISTORY_CONFIG, 3));
        StreamsSettings settings = lw.toSettings();
        ModelSlot slot = new ModelSlot(v7, v7.manifest().thresholds());
        try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(settings, v7, ScoringMetrics.NOOP, slot),
                lw.toStreamsProperties())) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(settings.inputTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(settings.latentsTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            for (int i = 0; i < 12; i++) {
                if (i == 6) {
                    slot.offer(v8, v8.manifest().thresholds());
                }
                in.pipeInput(ScoringHarness.utf8("e"), ScoringHarness.utf8(ScoringHarness.json("e", i,
                        ScoringHarness.correlated((float) Math.sin(i), 0))), i);
            }
            List<Double> likelihood = new ArrayList<>();
            for (TestRecord<byte[], byte[]> r : out.readRecordsToList()) {
                likelihood.add(LatentCode.fromByteBuffer(ByteBuffer.wrap(r.value())).getLikelihood());
            }
            // v7: 3 records of warm-up, then scored; v8 from record 6: warm-up again, then scored.
            assertThat(likelihood.subList(0, 3)).containsOnly(0.0);
            assertThat(likelihood.subList(6, 9)).containsOnly(0.0);
            assertThat(likelihood.subList(3, 6)).allSatisfy(l -> assertThat(l).isBetween(0.0, 1.0));
            assertThat(likelihood.subList(9, 12)).anySatisfy(l -> assertThat(l).isPositive());
        }
    }
}
