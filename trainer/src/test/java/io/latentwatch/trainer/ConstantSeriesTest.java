package io.latentwatch.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScorerOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flatline sensor is normal data too: training on a constant series must work and flag a change. */
class ConstantSeriesTest {
    @Test
    void trainsOnAConstantSeries(@TempDir Path dir) {
        float[][] rows = new float[200][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new float[] {5f, 5f, 5f};
        }
        TrainingData data = TrainingData.fromRows("flatline", List.of("a", "b", "c"), rows);
        TrainingResult result = AutoencoderTrainer.train(data,
                TrainingConfig.defaults().withHiddenLayers(List.of(4)).withLatentDim(2).withEpochs(3), dir);
        try (OnnxScorer scorer = OnnxScorer.open(result.bundle(), ScorerOptions.defaults())) {
            var scores = scorer.score(new float[][] {{5f, 5f, 5f}, {5f, 9f, 5f}});
            assertThat(scores.score(0)).isLessThanOrEqualTo((float) result.bundle().manifest().thresholds().warning());
            assertThat((double) scores.score(1)).isGreaterThan(result.bundle().manifest().thresholds().critical());
        }
        assertThat(Arrays.asList(result.trainLoss().toArray())).isNotEmpty();
    }
}
