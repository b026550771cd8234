package io.latentwatch.trainer.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.trainer.TrainingConfig;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PromotionPolicyTest {
    private static ModelComparison unlabelled(double championRate, double challengerRate, double shift) {
        return new ModelComparison(100, championRate, challengerRate, challengerRate, shift, 1, 1,
                OptionalDouble.empty(), OptionalDouble.empty());
    }

    @Test
    void withoutLabelsTheChallengerMustNotAlertMoreAtTheChampionsThreshold() {
        PromotionPolicy strict = PromotionPolicy.defaults();
        assertThat(strict.judge(unlabelled(0.02, 0.02, 0.1)).promote()).isTrue(); // equal is enough
        assertThat(strict.judge(unlabelled(0.02, 0.01, 0.1)).promote()).isTrue();
        PromotionPolicy.Verdict worse = strict.judge(unlabelled(0.02, 0.03, 0.1));
        assertThat(worse.promote()).isFalse();
        assertThat(worse.reason()).contains("0.0300").contains(">").contains("0.0200");
        assertThat(new PromotionPolicy(0.02, 0, 1).judge(unlabelled(0.02, 0.03, 0.1)).promote()).isTrue();
    }

    @Test
    void withLabelsAurocDecidesAndTheShiftLimitAlwaysApplies() {
        ModelComparison better = new ModelComparison(100, 0.5, 0.9, 0.9, 0.2, 1, 1, OptionalDouble.of(0.80),
                OptionalDouble.of(0.85));
        ModelComparison worse = new ModelComparison(100, 0.01, 0.0, 0.0, 0.2, 1, 1, OptionalDouble.of(0.85),
                OptionalDouble.of(0.80));
        assertThat(PromotionPolicy.defaults().judge(better).promote()).isTrue();
        assertThat(PromotionPolicy.defaults().judge(worse).promote()).isFalse();
        assertThat(new PromotionPolicy(0, 0.1, 1).judge(worse).promote()).isTrue();
        PromotionPolicy.Verdict shifted = new PromotionPolicy(0, 0, 0.1).judge(better);
        assertThat(shifted.promote()).isFalse();
        assertThat(shifted.reason()).contains("shift");
        assertThatThrownBy(() -> new PromotionPolicy(-0.1, 0, 1)).hasMessageContaining("alertRateTolerance");
    }

    @Test
    void ksDistanceIsZeroForEqualSamplesAndOneForDisjointOnes() {
        assertThat(ModelComparison.ksDistance(new double[] {1, 2, 3}, new double[] {3, 2, 1})).isZero();
        assertThat(ModelComparison.ksDistance(new double[] {1, 2}, new double[] {3, 4})).isEqualTo(1.0);
        assertThat(ModelComparison.ksDistance(new double[] {1, 2, 3, 4}, new double[] {3, 4, 5, 6})).isEqualTo(0.5);
    }

    @Test
    void trainingSettingsRoundTripThroughProvenance() {
        List<TrainingConfig> configs = List.of(
                TrainingConfig.defaults().withHiddenLayers(List.of(16, 4)).withLatentDim(3).withEpochs(7)
                        .withLearningRate(5e-3).withBatchSize(16).withPatience(2).withQuantiles(0.95, 0.995),
                TrainingConfig.defaults().withVariant(TrainingConfig.Variant.DENOISING),
                TrainingConfig.defaults().withVariant(TrainingConfig.Variant.SPARSE)
                        .withSparsity(new TrainingConfig.Sparsity(TrainingConfig.Sparsity.Kind.KL, 0.01, 0.1)),
                TrainingConfig.defaults().withVariant(TrainingConfig.Variant.VAE)
                        .withVariational(new TrainingConfig.Variational(0.5, TrainingConfig.Variational.VaeScore.values()[0])));
        for (TrainingConfig c : configs) {
            assertThat(TrainingConfig.fromProvenance(c.asProvenance())).isEqualTo(c);
        }
        assertThatThrownBy(() -> TrainingConfig.fromProvenance(java.util.Map.of("latentDim", "many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latentDim=many");
    }
}
