package io.latentwatch.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AnomalyLikelihoodTest {
    private static final AnomalyLikelihood.Settings SETTINGS = new AnomalyLikelihood.Settings(250, 100, 1, 0);

    /** Feeds {@code n} log-normal scores around {@code level}; returns the statistics afterwards. */
    private static AnomalyLikelihood.State feed(AnomalyLikelihood.State s, Random r, int n, double level) {
        return feed(SETTINGS, s, r, n, level);
    }

    private static AnomalyLikelihood.State feed(AnomalyLikelihood.Settings settings, AnomalyLikelihood.State s, Random r,
                                                int n, double level) {
        for (int i = 0; i < n; i++) {
            s = AnomalyLikelihood.observe(settings, s, level * Math.exp(0.3 * r.nextGaussian())).next();
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
        assertThatThrownBy(() -> new AnomalyLikelihood.Settings(1, 1, 1, 0)).hasMessageContaining("history");
        assertThatThrownBy(() -> new AnomalyLikelihood.Settings(10, 1, 0, 0)).hasMessageContaining("shortTerm=0");
        assertThatThrownBy(() -> new AnomalyLikelihood.Settings(10, 1, 1, 0.5)).hasMessageContaining("clipStd=0.5");
        AnomalyLikelihood.State withRecent = new AnomalyLikelihood.State(7, 0.5, 0.25, new double[] {1, 2, 3});
        assertThat(AnomalyLikelihood.State.fromBytes(withRecent.toBytes())).isEqualTo(withRecent);
        byte[] truncated = java.util.Arrays.copyOf(withRecent.toBytes(), withRecent.toBytes().length - 1);
        assertThatThrownBy(() -> AnomalyLikelihood.State.fromBytes(truncated)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheFirstReleasesStateWithoutRecentScores() {
        byte[] v1 = java.nio.ByteBuffer.allocate(25).put((byte) 1).putLong(300).putDouble(-2.0).putDouble(0.5).array();
        assertThat(AnomalyLikelihood.State.fromBytes(v1))
                .isEqualTo(new AnomalyLikelihood.State(300, -2.0, 0.5, new double[0]));
    }

    @Test
    void judgesTheMeanOfTheLatestLogScoresWithItsStandardError() {
        // statistics: log scores with mean 0 and variance 1; the four latest log scores were 1
        AnomalyLikelihood.State s = new AnomalyLikelihood.State(1000, 0, 1, new double[] {1, 1, 1, 1});
        // alone, log score 1 is z = 1: P(Z > 1) = 0.158655
        AnomalyLikelihood.Result alone = AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 1, 0), s, Math.E);
        assertThat(1 - alone.likelihood()).isCloseTo(0.158655, within(1e-6));
        // five of them: mean 1, standard error 1 / sqrt(5), z = sqrt(5): P(Z > 2.2361) = 0.012674
        AnomalyLikelihood.Settings five = new AnomalyLikelihood.Settings(250, 100, 5, 0);
        AnomalyLikelihood.Result mean = AnomalyLikelihood.observe(five, s, Math.E);
        assertThat(1 - mean.likelihood()).isCloseTo(0.012674, within(1e-6));
        // the record's own log score joins the latest; the oldest beyond the five drop out
        assertThat(mean.next().recent()).containsExactly(1, 1, 1, 1, 1);
        AnomalyLikelihood.Result next = AnomalyLikelihood.observe(five, mean.next(), 1.0);
        assertThat(next.next().recent()).containsExactly(1, 1, 1, 1, 0);
        // a shorter short term (say, after a configuration change) keeps only the latest it needs
        assertThat(AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 3, 0), s, Math.E).next().recent())
                .containsExactly(1, 1, 1);
    }

    @Test
    void aChangeLastingAFewRecordsStandsOutMoreThanOneNoisyRecord() {
        Random r = new Random(4);
        AnomalyLikelihood.Settings five = new AnomalyLikelihood.Settings(250, 100, 5, 0);
        AnomalyLikelihood.State s = feed(five, AnomalyLikelihood.State.EMPTY, r, 600, 0.01);
        // one record 2.5 standard deviations up is diluted by four ordinary ones
        AnomalyLikelihood.Result single = AnomalyLikelihood.observe(five, s, 0.01 * Math.exp(0.75));
        assertThat(single.logScore()).isLessThan(0.3);
        // five such records in a row are about 5.6 standard errors up
        AnomalyLikelihood.State t = s;
        AnomalyLikelihood.Result last = null;
        for (int i = 0; i < 5; i++) {
            last = AnomalyLikelihood.observe(five, t, 0.01 * Math.exp(0.75));
            t = last.next();
        }
        assertThat(last.logScore()).isGreaterThan(0.7);
        assertThat(AnomalyLikelihood.observe(SETTINGS, s, 0.01 * Math.exp(0.75)).logScore()).isLessThan(0.3);
    }

    @Test
    void clipsAFarOutLogScoresStepIntoTheStatisticsButNotItsJudgement() {
        // statistics: mean 0, variance 1, warm; a log score of 10 is judged as itself, then moves them by 5 at most
        AnomalyLikelihood.State s = new AnomalyLikelihood.State(1000, 0, 1, new double[0]);
        AnomalyLikelihood.Result clipped = AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 1, 5), s,
                Math.exp(10));
        AnomalyLikelihood.Result free = AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 1, 0), s,
                Math.exp(10));
        assertThat(clipped.logScore()).isEqualTo(free.logScore()).isGreaterThan(0.999);
        // w = 1/250: mean 0 + 5/250 = 0.02, variance (1 - 1/250)(1 + 25/250) = 1.0956; unclipped 0.04 and 1.3944
        assertThat(clipped.next().mean()).isCloseTo(0.02, within(1e-12));
        assertThat(clipped.next().variance()).isCloseTo(1.0956, within(1e-12));
        assertThat(free.next().mean()).isCloseTo(0.04, within(1e-12));
        assertThat(free.next().variance()).isCloseTo(1.3944, within(1e-12));
        // the recent log scores keep the record's own, unclipped
        assertThat(clipped.next().recent()).containsExactly(10.0);
        // steps within the limit, and every step while warming up, are not clipped
        assertThat(AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 1, 5), s, Math.exp(2)).next())
                .isEqualTo(AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 1, 0), s, Math.exp(2)).next());
        AnomalyLikelihood.State cold = new AnomalyLikelihood.State(10, 0, 1, new double[0]);
        assertThat(AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 1, 5), cold, Math.exp(10)).next())
                .isEqualTo(AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(250, 100, 1, 0), cold, Math.exp(10)).next());
    }

    @Test
    void withClippingALastingChangeStillStopsBeingUnusual() {
        Random r = new Random(5);
        AnomalyLikelihood.Settings clip = new AnomalyLikelihood.Settings(250, 100, 1, 5);
        AnomalyLikelihood.State s = feed(clip, AnomalyLikelihood.State.EMPTY, r, 600, 0.01);
        assertThat(AnomalyLikelihood.observe(clip, s, 0.1).logScore()).isGreaterThan(0.5);
        s = feed(clip, s, r, 6 * clip.history(), 0.1);
        assertThat(AnomalyLikelihood.observe(clip, s, 0.1).logScore()).isLessThan(0.3);
    }
}
