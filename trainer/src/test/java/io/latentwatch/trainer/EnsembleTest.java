package io.latentwatch.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.trainer.onnx.EnsembleGraph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsembleTest {
    private static final TrainingConfig SMALL = TrainingConfig.defaults().withHiddenLayers(List.of(8)).withLatentDim(2)
            .withEpochs(15);

    /** Windows of 8 records over a noisy sine (period 24). */
    private static TrainingData sineWindows() {
        Random r = new Random(11);
        int n = 900;
        long[] ts = new long[n];
        float[] vs = new float[n];
        for (int i = 0; i < n; i++) {
            ts[i] = 1_600_000_000_000L + i * 300_000L;
            vs[i] = (float) (10 + 3 * Math.sin(2 * Math.PI * i / 24) + 0.1 * r.nextGaussian());
        }
        return TrainingData.fromSeries("sine", List.of(new TimeSeries(Path.of("sine.csv"), ts, vs)), 8, 1.0);
    }

    private static double[] logScoreStatistics(float[][] scores) {
        double sum = 0;
        double squares = 0;
        for (float[] s : scores) {
            double x = Math.log(Math.max(s[0], 1e-12));
            sum += x;
            squares += x * x;
        }
        double mean = sum / scores.length;
        return new double[] {mean, Math.sqrt(squares / scores.length - mean * mean)};
    }

    @Test
    void theEnsembleGraphComputesInOnnxRuntimeWhatItsDjlMembersDo(@TempDir Path dir) throws Exception {
        TrainingData data = sineWindows();
        TrainingData recent = data.recentRecords(4);
        assertThat(recent.rows()[10]).containsExactly(Arrays.copyOfRange(data.rows()[10], 4, 8));
        assertThat(recent.inputShape()).containsExactly(4, 1);
        float[][] probe = Arrays.copyOf(data.rows(), 40);
        probe[39] = probe[39].clone();
        probe[39][7] += 6; // a spike in the latest record
        try (FittedAutoencoder shortMember = AutoencoderTrainer.fit(recent.rows(), recent.rows(), SMALL,
                new ArrayList<>(), new ArrayList<>());
             FittedAutoencoder wholeMember = AutoencoderTrainer.fit(data.rows(), data.rows(), SMALL.withSeed(5),
                     new ArrayList<>(), new ArrayList<>())) {
            double[] shortStats = logScoreStatistics(shortMember.forward(recent.rows())[2]);
            double[] wholeStats = logScoreStatistics(wholeMember.forward(data.rows())[2]);
            byte[] onnx = EnsembleGraph.build("ensemble", List.of(
                    new EnsembleGraph.Member(shortMember.toOnnx(), 4, 4, shortStats[0], shortStats[1]),
                    new EnsembleGraph.Member(wholeMember.toOnnx(), 0, 8, wholeStats[0], wholeStats[1])), 8);
            // a template manifest of the whole window, with the ensemble's latent width
            ModelManifest m = AutoencoderTrainer.train(data, SMALL.withEpochs(1), dir.resolve("template")).bundle()
                    .manifest();
            ModelBundle bundle = ModelBundle.write(dir.resolve("ensemble"), new ModelManifest(m.formatVersion(),
                    m.modelId(), m.modelVersion(), m.createdAt(), "ensemble", m.featureNames(), m.windowLength(),
                    m.inputWidth(), m.inputShape(), 4, wholeMember.normalisation(), m.thresholds(), null,
                    m.provenance()), onnx);

            float[][] shortProbe = new float[probe.length][];
            for (int i = 0; i < probe.length; i++) {
                shortProbe[i] = Arrays.copyOfRange(probe[i], 4, 8);
            }
            float[][][] s = shortMember.forward(shortProbe);
            float[][][] w = wholeMember.forward(probe);
            double maxDiff = 0;
            try (OnnxScorer scorer = OnnxScorer.open(bundle, ScorerOptions.defaults())) {
                ScoreBatch b = scorer.score(probe);
                for (int i = 0; i < probe.length; i++) {
                    double expected = Math.exp(((Math.log(s[2][i][0]) - shortStats[0]) / shortStats[1]
                            + (Math.log(w[2][i][0]) - wholeStats[0]) / wholeStats[1]) / 2);
                    assertThat((double) b.score(i)).isCloseTo(expected, within(1e-4 * Math.max(1, expected)));
                    float[] latent = b.latent(i);
                    assertThat(latent).hasSize(4);
                    for (int j = 0; j < 2; j++) {
                        maxDiff = Math.max(maxDiff, Math.abs(latent[j] - s[0][i][j]));
                        maxDiff = Math.max(maxDiff, Math.abs(latent[2 + j] - w[0][i][j]));
                    }
                    for (int j = 0; j < 8; j++) {
                        maxDiff = Math.max(maxDiff, Math.abs(b.reconstruction(i)[j] - w[1][i][j]));
                    }
                }
                assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
                // the spike is far out for both members, so for their mean too
                double[] normal = new double[39];
                for (int i = 0; i < 39; i++) {
                    normal[i] = b.score(i);
                }
                assertThat((double) b.score(39)).isGreaterThan(3 * Arrays.stream(normal).max().orElseThrow());
            }
        }
    }

    @Test
    void trainEnsembleWritesOneBundleWithItsMembersInTheProvenance(@TempDir Path dir) {
        TrainingData data = sineWindows();
        ModelBundle bundle = AutoencoderTrainer.trainEnsemble(data, SMALL, List.of(4, 8), dir.resolve("b")).bundle();
        ModelManifest m = bundle.manifest();
        assertThat(m.windowLength()).isEqualTo(8);
        assertThat(m.latentDim()).isEqualTo(4);
        assertThat(m.architecture()).startsWith("ensemble[4, 8] of dense");
        assertThat(m.provenance().settings()).containsEntry("ensembleWindows", "[4, 8]");
        assertThat(m.provenance().settings().get("ensembleMember0")).startsWith("window=4 ");
        assertThat(m.provenance().settings().get("ensembleMember1")).startsWith("window=8 ");
        assertThat(m.thresholds().critical()).isGreaterThan(m.thresholds().warning());

        float[] normal = data.rows()[100];
        float[] spiked = normal.clone();
        spiked[7] += 6;
        try (OnnxScorer scorer = OnnxScorer.open(bundle, ScorerOptions.defaults())) {
            ScoreBatch b = scorer.score(new float[][] {normal, spiked});
            assertThat((double) b.score(1)).isGreaterThan(m.thresholds().critical());
            assertThat((double) b.score(0)).isLessThan(m.thresholds().critical());
        }
    }

    @Test
    void eachMemberKeepsACheckpointOfItsOwnAndResumesFromIt(@TempDir Path dir) throws Exception {
        TrainingData data = sineWindows();
        TrainingConfig config = SMALL.withEpochs(2).withCheckpointDir(dir.resolve("checkpoints"));
        ModelBundle first = AutoencoderTrainer.trainEnsemble(data, config, List.of(4, 8), dir.resolve("a")).bundle();
        try (var members = java.nio.file.Files.list(dir.resolve("checkpoints"))) {
            assertThat(members.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("member-0", "member-1");
        }
        // a second run with the same settings resumes every member after its last epoch: the same models again
        ModelBundle resumed = AutoencoderTrainer.trainEnsemble(data, config, List.of(4, 8), dir.resolve("b")).bundle();
        assertThat(resumed.manifest().thresholds().warning()).isEqualTo(first.manifest().thresholds().warning());
    }

    @Test
    void windowsThatCannotFormAnEnsembleAreRefused(@TempDir Path dir) {
        TrainingData data = sineWindows();
        assertThatThrownBy(() -> AutoencoderTrainer.trainEnsemble(data, SMALL, List.of(8), dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least two distinct");
        assertThatThrownBy(() -> AutoencoderTrainer.trainEnsemble(data, SMALL, List.of(4, 16), dir))
                .hasMessageContaining("[4, 16]");
        assertThatThrownBy(() -> AutoencoderTrainer.trainEnsemble(data, SMALL, List.of(2, 4), dir))
                .hasMessageContaining("one of them the data's 8");
        assertThatThrownBy(() -> data.recentRecords(9)).hasMessageContaining("not 9");
        byte[] member = new byte[] {};
        assertThatThrownBy(() -> EnsembleGraph.build("e", List.of(new EnsembleGraph.Member(member, 4, 4, 0, 1),
                new EnsembleGraph.Member(member, 2, 6, 0, 1)), 8))
                .hasMessageContaining("no member reads the whole input");
    }
}
