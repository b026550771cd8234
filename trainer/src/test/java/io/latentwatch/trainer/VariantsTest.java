package io.latentwatch.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.data.ImageSet;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.trainer.TrainingConfig.Noise;
import io.latentwatch.trainer.TrainingConfig.Sparsity;
import io.latentwatch.trainer.TrainingConfig.Variant;
import io.latentwatch.trainer.TrainingConfig.Variational;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every variant: DJL and ONNX Runtime agree, and the loss decreases on a small seeded set. */
class VariantsTest {

    static Stream<Arguments> tabularVariants() {
        TrainingConfig base = AutoencoderTrainerTest.small().withEpochs(15).withPatience(15);
        return Stream.of(
                Arguments.of("dense", base),
                Arguments.of("dense-sgd", base.withOptimizer(TrainingConfig.OptimizerKind.SGD).withLearningRate(0.05)),
                Arguments.of("dense-minmax-bce", base.withScaling(TrainingConfig.Scaling.MIN_MAX)
                        .withOutputActivation(TrainingConfig.OutputActivation.SIGMOID).withLoss(TrainingConfig.LossFunction.BCE)),
                Arguments.of("denoising-gaussian", base.withVariant(Variant.DENOISING).withNoise(new Noise(Noise.Kind.GAUSSIAN, 0.2))),
                Arguments.of("denoising-masking", base.withVariant(Variant.DENOISING).withNoise(new Noise(Noise.Kind.MASKING, 0.2))),
                Arguments.of("sparse-l1", base.withVariant(Variant.SPARSE).withSparsity(new Sparsity(Sparsity.Kind.L1, 1e-2, 0.05))),
                Arguments.of("sparse-kl", base.withVariant(Variant.SPARSE).withSparsity(new Sparsity(Sparsity.Kind.KL, 0.1, 0.05))),
                Arguments.of("vae-reconstruction", base.withVariant(Variant.VAE).withVariational(Variational.defaults())),
                Arguments.of("vae-elbo", base.withVariant(Variant.VAE)
                        .withVariational(new Variational(0.5, Variational.VaeScore.NEGATIVE_ELBO))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tabularVariants")
    void tabularVariantTrainsAndOnnxRuntimeAgreesWithDjl(String name, TrainingConfig config, @TempDir Path dir) {
        float[][] rows = AutoencoderTrainerTest.correlatedRows(600, 1);
        float[][] val = AutoencoderTrainerTest.correlatedRows(100, 2);
        TrainingData data = TrainingData.fromRows("synthetic", List.of("a", "b", "c", "d"), rows);
        float[][] probe = AutoencoderTrainerTest.correlatedRows(50, 3);
        probe[0] = new float[] {5f, -3f, 100f, 0.5f};
        checkTrainsAndAgrees(config, data, val, probe, dir);
    }

    @Test
    void convOn28x28x1TrainsAndAgrees(@TempDir Path dir) {
        ImageSet images = blobs(120, 1, 28, 28, 5);
        TrainingConfig config = AutoencoderTrainerTest.small().withVariant(Variant.CONV).withHiddenLayers(List.of(4, 8))
                .withLatentDim(6).withScaling(TrainingConfig.Scaling.PIXELS)
                .withOutputActivation(TrainingConfig.OutputActivation.SIGMOID).withLoss(TrainingConfig.LossFunction.BCE)
                .withEpochs(4).withBatchSize(16).withLearningRate(1e-2);
        TrainingData data = TrainingData.fromImages(images);
        checkTrainsAndAgrees(config, data, blobs(20, 1, 28, 28, 6).pixels(), blobs(8, 1, 28, 28, 7).pixels(), dir);
    }

    @Test
    void convOn64x64x3AgreesWithOnnxRuntime(@TempDir Path dir) {
        ImageSet images = blobs(24, 3, 64, 64, 8);
        TrainingConfig config = AutoencoderTrainerTest.small().withVariant(Variant.CONV).withHiddenLayers(List.of(4, 4, 8))
                .withLatentDim(4).withScaling(TrainingConfig.Scaling.PIXELS)
                .withOutputActivation(TrainingConfig.OutputActivation.SIGMOID).withLoss(TrainingConfig.LossFunction.BCE)
                .withEpochs(3).withBatchSize(8).withLearningRate(1e-2);
        TrainingData data = TrainingData.fromImages(images);
        checkTrainsAndAgrees(config, data, blobs(8, 3, 64, 64, 9).pixels(), blobs(4, 3, 64, 64, 10).pixels(), dir);
        assertThat(ModelBundle.load(dir.resolve("bundle")).manifest().inputShape()).containsExactly(3, 64, 64);
    }

    @Test
    void convRefusesImagesItCannotPool() {
        TrainingConfig config = TrainingConfig.defaults().withVariant(Variant.CONV).withHiddenLayers(List.of(4, 4, 4));
        assertThatThrownBy(() -> io.latentwatch.trainer.internal.AutoencoderNetwork.build(config, List.of(1, 28, 28)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("divisible by 8, got 28x28");
        assertThatThrownBy(() -> io.latentwatch.trainer.internal.AutoencoderNetwork.build(config, List.of(20)))
                .hasMessageContaining("needs image input [C, H, W], got shape [20]");
    }

    @Test
    void checkpointResumesWhereTrainingStopped(@TempDir Path dir) {
        float[][] rows = AutoencoderTrainerTest.correlatedRows(300, 1);
        float[][] val = AutoencoderTrainerTest.correlatedRows(60, 2);
        TrainingConfig config = AutoencoderTrainerTest.small().withPatience(50).withCheckpointDir(dir.resolve("ck"));
        List<Double> tl = new ArrayList<>();
        List<Double> vl = new ArrayList<>();
        AutoencoderTrainer.fit(rows, val, List.of(4), config.withEpochs(3), tl, vl, new ArrayList<>()).close();
        assertThat(tl).hasSize(3);
        List<Double> tl2 = new ArrayList<>();
        List<Double> vl2 = new ArrayList<>();
        AutoencoderTrainer.fit(rows, val, List.of(4), config.withEpochs(5), tl2, vl2, new ArrayList<>()).close();
        assertThat(tl2).hasSize(5).startsWith(tl.toArray(Double[]::new));
        assertThatThrownBy(() -> AutoencoderTrainer.fit(rows, val, List.of(4), config.withEpochs(6).withLatentDim(3),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was written for other settings");
    }

    private static void checkTrainsAndAgrees(TrainingConfig config, TrainingData data, float[][] validation,
                                             float[][] probe, Path dir) {
        List<Double> tl = new ArrayList<>();
        List<Double> vl = new ArrayList<>();
        try (FittedAutoencoder fitted = AutoencoderTrainer.fit(data.rows(), validation, data.inputShape(), config, tl, vl,
                new ArrayList<>())) {
            assertThat(tl.get(tl.size() - 1)).as("last training loss below the first").isLessThan(tl.get(0));
            ModelBundle bundle = AutoencoderTrainer.export(fitted, data, config, validation, tl, vl, dir.resolve("bundle"));
            float[][][] djl = fitted.forward(probe);
            double[] mean = fitted.normalisation().mean();
            double[] scale = fitted.normalisation().scale();
            try (OnnxScorer scorer = OnnxScorer.open(bundle, ScorerOptions.defaults())) {
                ScoreBatch ort = scorer.score(probe);
                double maxLatent = 0;
                double maxRecon = 0;
                double maxScore = 0;
                for (int i = 0; i < probe.length; i++) {
                    float[] z = ort.latent(i);
                    assertThat(z).hasSize(fitted.latentDim());
                    for (int j = 0; j < z.length; j++) {
                        maxLatent = Math.max(maxLatent, Math.abs(z[j] - djl[0][i][j]));
                    }
                    float[] rec = ort.reconstruction(i);
                    for (int j = 0; j < rec.length; j++) {
                        maxRecon = Math.max(maxRecon, Math.abs((rec[j] - djl[1][i][j]) / scale[j]));
                    }
                    maxScore = Math.max(maxScore, Math.abs(ort.score(i) - djl[2][i][0]) / Math.max(1, Math.abs(djl[2][i][0])));
                }
                assertThat(maxLatent).isLessThanOrEqualTo(1e-3);
                assertThat(maxRecon).isLessThanOrEqualTo(1e-4);
                assertThat(maxScore).isLessThanOrEqualTo(1e-4);
                assertThat(mean).hasSize(data.inputWidth());
            }
        }
    }

    /** Images of one bright Gaussian blob at a random place on a dark background (0..255). */
    static ImageSet blobs(int n, int channels, int h, int w, long seed) {
        Random r = new Random(seed);
        float[][] pixels = new float[n][channels * h * w];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double cy = h * (0.25 + 0.5 * r.nextDouble());
            double cx = w * (0.25 + 0.5 * r.nextDouble());
            double s = h / 6.0;
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double d = ((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * s * s);
                        pixels[i][c * h * w + y * w + x] = (float) (255 * Math.exp(-d) * (c + 1) / channels);
                    }
                }
            }
            labels[i] = cx < w / 2.0 ? 0 : 1;
        }
        return new ImageSet("blobs", channels, h, w, pixels, Optional.of(labels));
    }
}
