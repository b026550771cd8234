package io.latentwatch.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AnomalyLikelihoodTest {
    private static final AnomalyLikelihood.Settings SETTINGS = new AnomalyLikelihood.Settings(250, 100);

    /** Feeds {@code n} log-normal scores around {@code level}; returns the statistics afterwards. */
    private static AnomalyLikelihood.State feed(AnomalyLikelihood.State s, Random r, int n, double level) {
        for (int i = 0; i < n; i++) {
            s = AnomalyLikelihood.observe(SETTINGS, s, level * Math.exp(0.3 * r.nextGaussian())).next();
        }
        return s;
    }

    @Test
    void tailProbabilitiesMatchTheNormalDistribution() {
        assertThat(AnomalyLikelihood.upperTail(0)).isCloseTo(0.5, within(1e-7));
        assertThat(AnomalyLikelihood.upperTail(1)).isCloseTo(0.158655254, within(1e-7));
        assertThat(AnomalyLikelihood.upperTail(3)).isCloseTo(1.349898e-3, within(1e-9));
        assertThat(AnomalyLikelihood.upperTail(-3)).isCloseTo(1 - 1.349898e-3, within(1e-8));
        // far in the tail the relative error stays small: P(Z > 6) = 9.8659e-10
        assertThat(AnomalyLikelihood.upperTail(6) / 9.8659e-10).isCloseTo(1.0, within(1e-3));
        assertThat(AnomalyLikelihood.logScore(1e-3)).isCloseTo(0.3, within(1e-3));
        assertThat(AnomalyLikelihood.logScore(0)).isEqualTo(1.0);
        assertThat(AnomalyLikelihood.logScore(1.0)).isEqualTo(0.0);
        assertThat(AnomalyLikelihood.upperTail(-40)).isEqualTo(1.0);
    }

    @Test
    void warmsUpThenFlagsAScoreFarAboveTheEntitysOwn() {
        Random r = new Random(1);
        AnomalyLikelihood.State s = AnomalyLikelihood.State.EMPTY;
        for (int i = 0; i < SETTINGS.minHistory(); i++) {
            AnomalyLikelihood.Result warm = AnomalyLikelihood.observe(SETTINGS, s, 1e6); // even a huge score
            assertThat(warm.likelihood()).isEqualTo(0.5);
            assertThat(warm.logScore()).isZero();
            s = AnomalyLikelihood.observe(SETTINGS, s, 0.01 * Math.exp(0.3 * r.nextGaussian())).next();
        }
        s = feed(s, r, 400, 0.01);
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.01).logScore()).isLessThan(0.1);
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.2).logScore()).isGreaterThan(0.5);
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.2).likelihood()).isGreaterThan(0.99999);
        // Unusual is relative to the entity: 0.2 is ordinary for an entity whose scores are around 0.2.
        AnomalyLikelihood.State high = feed(AnomalyLikelihood.State.EMPTY, r, 500, 0.2);
        assertThat(AnomalyLikelihood.observe(SETTINGS, high, 0.2).logScore()).isLessThan(0.1);
        // Scores below the usual ones are not anomalies.
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.0001).logScore()).isLessThan(0.01);
    }

    @Test
    void aLastingChangeStopsBeingUnusualAfterAboutTheHistoryLength() {
        Random r = new Random(2);
        AnomalyLikelihood.State s = feed(AnomalyLikelihood.State.EMPTY, r, 600, 0.01);
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.1).logScore()).isGreaterThan(0.5);
        s = feed(s, r, 3 * SETTINGS.history(), 0.1);
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.1).logScore()).isLessThan(0.3);
    }

    @Test
    void constantScoresThenAChangeIsFlagged() {
        AnomalyLikelihood.State s = AnomalyLikelihood.State.EMPTY;
        for (int i = 0; i < 200; i++) {
            s = AnomalyLikelihood.observe(SETTINGS, s, 0.0).next();
        }
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.0).logScore()).isLessThan(0.1);
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 1e-3).logScore()).isEqualTo(1.0);
    }

    @Test
    void stateRoundTripsAndBadBytesAreRefused() {
        AnomalyLikelihood.State s = feed(AnomalyLikelihood.State.EMPTY, new Random(3), 10, 1);
        assertThat(AnomalyLikelihood.State.fromBytes(s.toBytes())).isEqualTo(s);
        assertThatThrownBy(() -> AnomalyLikelihood.State.fromBytes(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AnomalyLikelihood.observe(SETTINGS, s, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AnomalyLikelihood.Settings(1, 1)).hasMessageContaining("history");
    }
}
