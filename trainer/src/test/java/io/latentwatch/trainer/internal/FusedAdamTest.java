package io.latentwatch.trainer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class FusedAdamTest {
    private static final double LR = 0.1;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    /** torch.optim.Adam's update of one element, in double: {weight, m, v} after step t. */
    private static double[] adam(double w, double m, double v, double g, int t) {
        m = BETA1 * m + (1 - BETA1) * g;
        v = BETA2 * v + (1 - BETA2) * g * g;
        double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(BETA2, t)) + EPS;
        return new double[] {w - LR / (1 - Math.pow(BETA1, t)) * m / denom, m, v};
    }

    @Test
    void threeStepsMatchTorchAdamAndLeaveGradientsZeroed() {
        assumeTrue("amd64".equals(System.getProperty("os.arch")) && "Linux".equals(System.getProperty("os.name")),
                "libtorch's fused kernel is checked on x86-64 Linux, where CI runs");
        assertThat(FusedAdam.status()).startsWith("libtorch");
        float[] coefficients = {0.5f, -2f, 0f, 1e-3f, 3f, -0.25f};
        double[][] a = {{0.5, -1, 2, 0, 3, -0.25}, new double[6], new double[6]}; // weight, m, v per element
        double[][] b = {{0.1, -0.2}, new double[2], new double[2]};
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray wa = manager.create(new float[] {0.5f, -1f, 2f, 0f, 3f, -0.25f}, new Shape(3, 2));
            NDArray wb = manager.create(new float[] {0.1f, -0.2f});
            NDArray ca = manager.create(coefficients, new Shape(3, 2));
            wa.setRequiresGradient(true);
            wb.setRequiresGradient(true);
            try (FusedAdam adam = FusedAdam.create(List.of(wa, wb), manager, LR, BETA1, BETA2, EPS).orElseThrow()) {
                for (int t = 1; t <= 3; t++) {
                    // loss = sum(ca * wa) + sum(wb^2): constant gradients for wa, weight-dependent ones for wb
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        gc.backward(wa.mul(ca).sum().add(wb.square().sum()));
                    }
                    for (int i = 0; i < 6; i++) {
                        double[] r = adam(a[0][i], a[1][i], a[2][i], coefficients[i], t);
                        a[0][i] = r[0];
                        a[1][i] = r[1];
                        a[2][i] = r[2];
                    }
                    for (int i = 0; i < 2; i++) {
                        double[] r = adam(b[0][i], b[1][i], b[2][i], 2 * b[0][i], t);
                        b[0][i] = r[0];
                        b[1][i] = r[1];
                        b[2][i] = r[2];
                    }
                    adam.step();
                    float[] gotA = wa.toFloatArray();
                    float[] gotB = wb.toFloatArray();
                    for (int i = 0; i < 6; i++) {
                        assertThat((double) gotA[i]).as("a[%d] after step %d", i, t).isCloseTo(a[0][i], within(1e-5));
                    }
                    for (int i = 0; i < 2; i++) {
                        assertThat((double) gotB[i]).as("b[%d] after step %d", i, t).isCloseTo(b[0][i], within(1e-5));
                    }
                    assertThat(wa.getGradient().toFloatArray()).containsOnly(0f);
                    assertThat(wb.getGradient().toFloatArray()).containsOnly(0f);
                }
            }
        }
    }
}
