package io.latentwatch.core.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ThresholdsTest {
    @Test
    void quantilesInterpolateLikeNumpy() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertThat(Thresholds.quantile(sorted, 0.5)).isEqualTo(3);
        assertThat(Thresholds.quantile(sorted, 0.9)).isCloseTo(4.6, within(1e-12)); // numpy.quantile -> 4.6
        assertThat(Thresholds.quantile(sorted, 0.0)).isEqualTo(1);
        assertThat(Thresholds.quantile(sorted, 1.0)).isEqualTo(5);
    }

    @Test
    void calibratesFromTheErrorDistribution() {
        double[] scores = new double[1000];
        for (int i = 0; i < scores.length; i++) {
            scores[(i * 7919) % 1000] = i; // unsorted 0..999
        }
        Thresholds t = Thresholds.calibrate(scores, 0.99, 0.999);
        assertThat(t.warning()).isCloseTo(989.01, within(1e-9));
        assertThat(t.critical()).isCloseTo(998.001, within(1e-9));
        assertThat(t.warningQuantile()).isEqualTo(0.99);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> Thresholds.calibrate(new double[] {1}, 0.999, 0.99)).hasMessageContaining("above critical");
        assertThatThrownBy(() -> Thresholds.calibrate(new double[] {1}, 1.5, 0.99)).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> new Thresholds(2, 1, 0.9, 0.99)).hasMessageContaining("above critical");
        assertThatThrownBy(() -> new Thresholds(Double.NaN, 1, 0.9, 0.99)).hasMessageContaining("finite");
    }

    @Test
    void aScoreMustBeStrictlyAboveAThresholdToCount() {
        // A model trained on a constant series: every validation error is 0, so are both thresholds.
        Thresholds constant = Thresholds.calibrate(new double[] {0, 0, 0, 0}, 0.99, 0.999);
        assertThat(constant.warning()).isZero();
        assertThat(constant.isAnomalous(0.0)).isFalse(); // a normal record of that series
        assertThat(constant.isAnomalous(1e-9)).isTrue();
        Thresholds t = new Thresholds(1.0, 2.0, 0.99, 0.999);
        assertThat(t.isAnomalous(1.0)).isFalse();
        assertThat(t.isAnomalous(1.5)).isTrue();
        assertThat(t.isCritical(2.0)).isFalse();
        assertThat(t.isCritical(2.5)).isTrue();
    }
}
