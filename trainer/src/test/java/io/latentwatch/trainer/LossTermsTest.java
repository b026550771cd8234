package io.latentwatch.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentwatch.trainer.internal.LossTerms;
import org.junit.jupiter.api.Test;

/** The loss terms against values worked out by hand on tiny inputs. */
class LossTermsTest {

    @Test
    void l1SparsityIsWeightTimesMeanRowSumOfAbsoluteCode() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray z = m.create(new float[] {1, -2, 0, 3}, new Shape(2, 2));
            // rows: |1| + |-2| = 3, |0| + |3| = 3; mean 3; times 0.5
            assertThat(LossTerms.l1Sparsity(z, 0.5).getFloat()).isCloseTo(1.5f, within(1e-6f));
        }
    }

    @Test
    void klSparsityComparesTargetWithMeanSigmoidActivity() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float ln3 = (float) Math.log(3);
            // unit 0: sigmoid(ln 3) = 0.75 in both rows -> rhoHat 0.75; unit 1: sigmoid(ln 3), sigmoid(-ln 3) -> 0.5
            NDArray z = m.create(new float[] {ln3, ln3, ln3, -ln3}, new Shape(2, 2));
            double unit0 = 0.05 * Math.log(0.05 / 0.75) + 0.95 * Math.log(0.95 / 0.25); // 1.13285...
            double unit1 = 0.05 * Math.log(0.05 / 0.5) + 0.95 * Math.log(0.95 / 0.5);   // 0.49463...
            assertThat(unit0 + unit1).isCloseTo(1.6274804, within(1e-5));
            assertThat((double) LossTerms.klSparsity(z, 0.05, 2.0).getFloat()).isCloseTo(2 * 1.6274804, within(1e-5));
        }
    }

    @Test
    void gaussianKlOfMeanAndLogVariance() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray mu = m.create(new float[] {1, 0}, new Shape(1, 2));
            NDArray lv = m.create(new float[] {0, (float) Math.log(2)}, new Shape(1, 2));
            // -1/2 [(1 + 0 - 1 - 1) + (1 + ln 2 - 0 - 2)] = 1 - ln(2) / 2
            assertThat((double) LossTerms.gaussianKl(mu, lv).getFloat()).isCloseTo(1 - Math.log(2) / 2, within(1e-6));
            // N(0, 1) itself costs nothing
            assertThat(LossTerms.gaussianKl(m.zeros(new Shape(3, 2)), m.zeros(new Shape(3, 2))).getFloat())
                    .isCloseTo(0f, within(1e-7f));
        }
    }

    @Test
    void binaryCrossEntropyAndMse() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray p = m.create(new float[] {0.5f, 0.9f}, new Shape(1, 2));
            NDArray t = m.create(new float[] {1f, 0f}, new Shape(1, 2));
            assertThat((double) LossTerms.binaryCrossEntropy(p, t).getFloat())
                    .isCloseTo(-(Math.log(0.5) + Math.log(0.1)) / 2, within(1e-6));
            assertThat((double) LossTerms.meanSquaredError(p, t).getFloat()).isCloseTo((0.25 + 0.81) / 2, within(1e-6));
        }
    }

    @Test
    void vaeObjectiveAddsBetaTimesKlPerInputElement() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray target = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 4));
            NDArray recon = m.create(new float[] {1, 2, 3, 6}, new Shape(1, 4));
            NDArray mu = m.create(new float[] {1, 0}, new Shape(1, 2));
            NDArray lv = m.create(new float[] {0, (float) Math.log(2)}, new Shape(1, 2));
            TrainingConfig config = TrainingConfig.defaults().withVariant(TrainingConfig.Variant.VAE)
                    .withVariational(new TrainingConfig.Variational(2.0, TrainingConfig.Variational.VaeScore.RECONSTRUCTION));
            double expected = 4.0 / 4 + 2.0 * (1 - Math.log(2) / 2) / 4;
            assertThat((double) LossTerms.objective(config, target, new NDList(recon, mu, lv)).getFloat())
                    .isCloseTo(expected, within(1e-6));
        }
    }
}
