package io.latentwatch.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latentwatch.core.bundle.Normalisation;
import org.junit.jupiter.api.Test;

/** The parts of the tabular evaluation default that are plain arithmetic, against hand-computed values. */
class AnomalyEvaluationTest {

    @Test
    void latentDistanceIsTheVarianceScaledSquaredDistanceFromTheMeanCode() {
        // dimension 0: values 0, 2, 4 -> mean 2, population variance 8/3; dimension 1: 1, 1, 4 -> mean 2, variance 2
        float[][] codes = {{0, 1}, {2, 1}, {4, 4}};
        double[] d = AnomalyEvaluation.latentDistance(codes);
        assertThat(d[0]).isCloseTo(4 / (8.0 / 3) + 1 / 2.0, within(1e-9));
        assertThat(d[1]).isCloseTo(0 + 1 / 2.0, within(1e-9));
        assertThat(d[2]).isCloseTo(4 / (8.0 / 3) + 4 / 2.0, within(1e-9));
    }

    @Test
    void latentDistanceIgnoresACollapsedDimension() {
        float[][] codes = {{1, 5}, {3, 5}};
        double[] d = AnomalyEvaluation.latentDistance(codes);
        assertThat(d).containsExactly(1.0, 1.0);
    }

    @Test
    void robustScalingUsesMedianAndInterquartileRangeAndFallsBackToRangeThenOne() {
        // column 0: 1..5 and an outlier 100 -> median 3.5, quartiles 2.25 and 4.75 -> IQR 2.5 (outlier ignored)
        // column 1: five 7s and one 9 -> IQR 0, range 2; column 2: constant -> scale 1
        float[][] rows = {{1, 7, 3}, {2, 7, 3}, {3, 7, 3}, {4, 7, 3}, {5, 7, 3}, {100, 9, 3}};
        Normalisation n = Normalisation.fitRobust(rows);
        assertThat(n.mean()).containsExactly(3.5, 7.0, 3.0);
        assertThat(n.scale()).containsExactly(2.5, 2.0, 1.0);
    }
}
