package io.latentwatch.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderTrainerTest {

    /** Four features on a 1-D manifold (x, 2x, x + noise, -x): an autoencoder with a 1-D code fits it. */
    static float[][] correlatedRows(int n, long seed) {
        Random r = new Random(seed);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            float x = (float) r.nextGaussian();
            rows[i] = new float[] {x, 2 * x + 10, x + 0.05f * (float) r.nextGaussian(), -x};
        }
        return rows;
    }

    static TrainingConfig small() {
        return TrainingConfig.defaults().withModelId("test").withHiddenLayers(List.of(8)).withLatentDim(2)
                .withEpochs(30).withBatchSize(32).withLearningRate(5e-3).withPatience(30);
    }

    @Test
    void onnxRuntimeComputesWhatDjlComputes(@TempDir Path dir) throws Exception {
        float[][] rows = correlatedRows(600, 1);
        List<Double> tl = new ArrayList<>();
        List<Double> vl = new ArrayList<>();
        try (FittedAutoencoder fitted = AutoencoderTrainer.fit(rows, correlatedRows(100, 2), small(), tl, vl)) {
            TrainingData data = TrainingData.fromRows("synthetic", List.of("a", "b", "c", "d"), rows);
            ModelBundle bundle = AutoencoderTrainer.export(fitted, data, small(), correlatedRows(100, 2), tl, vl, dir);
            float[][] probe = correlatedRows(200, 3);
            probe[0] = new float[] {5f, -3f, 100f, 0.5f}; // far off the manifold too
            float[][][] djl = fitted.forward(probe);
            try (OnnxScorer scorer = OnnxScorer.open(bundle, ScorerOptions.defaults())) {
                ScoreBatch ort = scorer.score(probe);
                double maxLatent = 0;
                double maxRecon = 0;
                double maxScore = 0;
                double[] mean = fitted.normalisation().mean();
                double[] scale = fitted.normalisation().scale();
                for (int i = 0; i < probe.length; i++) {
                    float[] z = ort.latent(i);
                    float[] rec = ort.reconstruction(i);
                    double expectedScore = 0;
                    for (int j = 0; j < z.length; j++) {
                        maxLatent = Math.max(maxLatent, Math.abs(z[j] - djl[0][i][j]));
                    }
                    for (int j = 0; j < rec.length; j++) {
                        // compare in normalised units: that is where the network works
                        double a = (rec[j] - mean[j]) / scale[j];
                        double b = (djl[1][i][j] - mean[j]) / scale[j];
                        maxRecon = Math.max(maxRecon, Math.abs(a - b));
                        double xn = (probe[i][j] - mean[j]) / scale[j];
                        expectedScore += (b - xn) * (b - xn) / rec.length;
                    }
                    maxScore = Math.max(maxScore, Math.abs(ort.score(i) - expectedScore) / Math.max(1, expectedScore));
                }
                assertThat(maxLatent).isLessThanOrEqualTo(1e-4);
                assertThat(maxRecon).isLessThanOrEqualTo(1e-4);
                assertThat(maxScore).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    @Test
    void lossDecreasesAndBundleIsComplete(@TempDir Path dir) {
        TrainingData data = TrainingData.fromRows("synthetic", List.of("a", "b", "c", "d"), correlatedRows(1000, 7));
        TrainingResult result = AutoencoderTrainer.train(data, small(), dir.resolve("bundle"));
        assertThat(result.trainLoss().get(result.trainLoss().size() - 1)).isLessThan(result.trainLoss().get(0) / 4);
        ModelManifest m = result.bundle().manifest();
        assertThat(m.featureNames()).containsExactly("a", "b", "c", "d");
        assertThat(m.inputWidth()).isEqualTo(4);
        assertThat(m.latentDim()).isEqualTo(2);
        assertThat(m.thresholds().warning()).isPositive().isLessThanOrEqualTo(m.thresholds().critical());
        assertThat(m.provenance().dataSha256()).hasSize(64);
        assertThat(m.provenance().libraryVersions()).containsKeys("djl", "pytorch", "onnxruntime");
        assertThat(m.provenance().rows()).isEqualTo(1000);

        // The thresholds separate normal rows from a gross anomaly.
        try (OnnxScorer scorer = OnnxScorer.open(result.bundle(), ScorerOptions.defaults())) {
            ScoreBatch s = scorer.score(new float[][] {{0.5f, 11f, 0.5f, -0.5f}, {3f, 0f, -3f, 3f}});
            assertThat((double) s.score(0)).isLessThan(m.thresholds().warning());
            assertThat((double) s.score(1)).isGreaterThan(m.thresholds().critical());
        }
    }

    @Test
    void sameSeedGivesTheSameModel(@TempDir Path dir) throws Exception {
        TrainingData data = TrainingData.fromRows("synthetic", List.of("a", "b", "c", "d"), correlatedRows(400, 11));
        TrainingConfig config = small().withEpochs(5);
        ModelBundle a = AutoencoderTrainer.train(data, config, dir.resolve("a")).bundle();
        ModelBundle b = AutoencoderTrainer.train(data, config, dir.resolve("b")).bundle();
        ModelBundle c = AutoencoderTrainer.train(data, config.withSeed(99), dir.resolve("c")).bundle();
        assertThat(Files.readAllBytes(a.directory().resolve("model.onnx")))
                .isEqualTo(Files.readAllBytes(b.directory().resolve("model.onnx")));
        assertThat(a.manifest().onnxSha256()).isEqualTo(b.manifest().onnxSha256()).isNotEqualTo(c.manifest().onnxSha256());
        assertThat(a.manifest().thresholds()).isEqualTo(b.manifest().thresholds());
    }

    @Test
    void seriesAreWindowedWithTheSharedSlidingWindow(@TempDir Path dir) {
        int n = 500;
        long[] ts = new long[n];
        float[] vs = new float[n];
        for (int i = 0; i < n; i++) {
            ts[i] = i * 60_000L;
            vs[i] = (float) Math.sin(i * 2 * Math.PI / 50);
        }
        TimeSeries s = new TimeSeries(Path.of("sine.csv"), ts, vs);
        TrainingData data = TrainingData.fromSeries("sine", List.of(s), 8, 0.5);
        assertThat(data.rows()).hasNumberOfRows(250 - 8 + 1);
        assertThat(data.rows()[0]).containsExactly(java.util.Arrays.copyOf(vs, 8));
        ModelBundle bundle = AutoencoderTrainer.train(data, small().withEpochs(3), dir).bundle();
        assertThat(bundle.manifest().windowLength()).isEqualTo(8);
        assertThat(bundle.manifest().elementNames()).startsWith("value[t-7]").endsWith("value[t]");
    }

    @Test
    void scorerRefusesAGraphThatContradictsItsManifest(@TempDir Path dir) {
        TrainingData data = TrainingData.fromRows("synthetic", List.of("a", "b", "c", "d"), correlatedRows(200, 5));
        ModelBundle good = AutoencoderTrainer.train(data, small().withEpochs(2), dir.resolve("good")).bundle();
        ModelManifest m = good.manifest();
        ModelManifest wrongLatent = new ModelManifest(m.formatVersion(), m.modelId(), m.modelVersion(), m.createdAt(),
                m.architecture(), m.featureNames(), m.windowLength(), m.inputWidth(), m.inputShape(), 3, m.normalisation(),
                m.thresholds(), null, m.provenance());
        ModelBundle bad = ModelBundle.write(dir.resolve("bad"), wrongLatent, good.onnxModel());
        assertThatThrownBy(() -> OnnxScorer.open(bad, ScorerOptions.defaults()))
                .isInstanceOf(io.latentwatch.core.bundle.InvalidBundleException.class)
                .hasMessageContaining("'latent' has width 2, the manifest says 3");
        ModelManifest wrongWidth = new ModelManifest(m.formatVersion(), m.modelId(), m.modelVersion(), m.createdAt(),
                m.architecture(), List.of("a", "b", "c", "d", "e"), 1, 5, List.of(5), m.latentDim(),
                new io.latentwatch.core.bundle.Normalisation(new double[5], new double[] {1, 1, 1, 1, 1}),
                m.thresholds(), null, m.provenance());
        ModelBundle bad2 = ModelBundle.write(dir.resolve("bad2"), wrongWidth, good.onnxModel());
        assertThatThrownBy(() -> OnnxScorer.open(bad2, ScorerOptions.defaults()))
                .hasMessageContaining("'input' has width 4, the manifest says 5");
    }

    @Test
    void tooFewRowsIsAClearError(@TempDir Path dir) {
        TrainingData data = TrainingData.fromRows("tiny", List.of("a"), new float[][] {{1f}});
        assertThatThrownBy(() -> AutoencoderTrainer.train(data, small(), dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too few");
    }
}
