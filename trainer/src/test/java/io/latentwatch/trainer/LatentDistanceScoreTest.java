package io.latentwatch.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentDistanceScoreTest {

    /** Rows on a line through three features, x ~ N(0, 1), with a little noise. */
    private static float[] onLine(double x, Random r) {
        return new float[] {(float) x, (float) (2 * x + 0.05 * r.nextGaussian()), (float) (-x + 0.05 * r.nextGaussian())};
    }

    private static float[] initializer(OnnxMl.ModelProto model, String name) {
        OnnxMl.TensorProto t = model.getGraph().getInitializerList().stream().filter(i -> i.getName().equals(name))
                .findFirst().orElseThrow();
        java.nio.FloatBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        float[] out = new float[raw.remaining()];
        raw.get(out);
        return out;
    }

    @Test
    void scoreAddsTheWeightedStandardisedDistanceOfTheCodeFromTheNormalRowsCodes(@TempDir Path dir) throws Exception {
        Random r = new Random(3);
        float[][] rows = new float[500][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = onLine(r.nextGaussian(), r);
        }
        TrainingData data = TrainingData.fromRows("line", List.of("a", "b", "c"), rows);
        TrainingConfig base = TrainingConfig.defaults().withHiddenLayers(List.of(8)).withLatentDim(1).withEpochs(40);
        ModelBundle withLatent = AutoencoderTrainer.train(data, base.withLatentDistanceWeight(1.0), dir.resolve("latent"))
                .bundle();
        assertThat(withLatent.manifest().provenance().settings()).containsEntry("latentDistanceWeight", "1.0");
        assertThat(base.asProvenance()).doesNotContainKey("latentDistanceWeight"); // 0: the plain score

        // exactly the documented formula, from the graph's own outputs and constants
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(withLatent.onnxModel());
        float[] mean = initializer(model, "lat_mean");
        float[] scale = initializer(model, "lat_scale");
        float weight = initializer(model, "lat_weight")[0];
        float[][] probe = {onLine(0.3, r), onLine(-0.5, r), onLine(6.0, r)};
        double[] distances = new double[probe.length];
        try (OnnxScorer scorer = OnnxScorer.open(withLatent, ScorerOptions.defaults())) {
            ScoreBatch b = scorer.score(probe);
            for (int i = 0; i < probe.length; i++) {
                double meanError = 0;
                for (float e : b.featureError(i)) {
                    meanError += e / 3.0;
                }
                double distance = 0;
                float[] z = b.latent(i);
                for (int j = 0; j < z.length; j++) {
                    double s = (z[j] - mean[j]) / scale[j];
                    distance += s * s / z.length;
                }
                assertThat((double) b.score(i)).isCloseTo(meanError + weight * distance, within(1e-5 * (1 + b.score(i))));
                distances[i] = distance;
            }
            // x = 6 lies on the line, six standard deviations out: its code is far from the normal rows' codes
            // (normal rows' codes average 1 by construction; the encoder compresses far-out inputs, so not 36)
            assertThat(distances[2]).isGreaterThan(4);
            assertThat(weight).isPositive();
            assertThat((double) b.score(2)).isGreaterThan(withLatent.manifest().thresholds().critical());
        }
    }
}
