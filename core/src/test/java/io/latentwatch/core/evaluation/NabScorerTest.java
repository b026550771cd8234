package io.latentwatch.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.latentwatch.core.data.AnomalyWindows;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.core.evaluation.NabScorer.CostMatrix;
import io.latentwatch.core.evaluation.NabScorer.Series;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class NabScorerTest {
    private static final CostMatrix STANDARD = new CostMatrix(1.0, 0.11, 1.0);
    private static final Path NAB = Path.of("..", "..", "shared", "data", "nab").toAbsolutePath().normalize();

    /** 20 records one minute apart; one window over records 10..13 (width 4); probation = floor(0.15 * 20) = 3. */
    private static Series series(double... scores) {
        long[] ts = new long[20];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = i * 60_000L;
        }
        double[] s = new double[20];
        System.arraycopy(scores, 0, s, 0, scores.length);
        return new Series("hand", ts, s, List.of(new AnomalyWindows.Window(10 * 60_000L, 13 * 60_000L)));
    }

    private static double[] detectionsAt(int... rows) {
        double[] s = new double[20];
        for (int r : rows) {
            s[r] = 1;
        }
        return s;
    }

    @Test
    void scaledSigmoidMatchesNab() {
        assertThat(NabScorer.scaledSigmoid(-1.0)).isCloseTo(0.98661, within(1e-5)); // 2/(1+e^-5) - 1
        assertThat(NabScorer.scaledSigmoid(0.0)).isCloseTo(0.0, within(1e-12));
        assertThat(NabScorer.scaledSigmoid(3.5)).isEqualTo(-1.0);
    }

    @Test
    void handComputedCases() {
        // Detection at row 11: position -(13 - 11 + 1)/4 = -0.75 -> 2/(1+e^-3.75) - 1 = 0.95405
        NabScorer.Score s = NabScorer.score(List.of(series(detectionsAt(11))), 0.5, STANDARD);
        assertThat(s.raw()).isCloseTo(0.95405, within(1e-4));
        assertThat(s.tp()).isEqualTo(1);
        assertThat(s.fn()).isZero();

        // Only the earliest detection of a window counts: rows 12 and 10 -> row 10, position -1 -> 0.98661
        assertThat(NabScorer.score(List.of(series(detectionsAt(12, 10))), 0.5, STANDARD).raw()).isCloseTo(0.98661, within(1e-4));

        // Before any window: a full false positive, -0.11; the window is missed: -1
        assertThat(NabScorer.score(List.of(series(detectionsAt(5))), 0.5, STANDARD).raw()).isCloseTo(-1.11, within(1e-9));

        // After the window at row 15: distance |13 - 15| / (4 - 1) = 0.6667 -> 2/(1+e^3.3333) - 1 = -0.93106,
        // times fp 0.11 = -0.10242; plus the missed window -1
        assertThat(NabScorer.score(List.of(series(detectionsAt(15))), 0.5, STANDARD).raw()).isCloseTo(-1.10242, within(1e-4));

        // Further past the window at row 19: distance 6 / 3 = 2 -> 2/(1+e^10) - 1 = -0.99991, times 0.11 = -0.10999
        assertThat(NabScorer.score(List.of(series(detectionsAt(19))), 0.5, STANDARD).raw()).isCloseTo(-1.10999, within(1e-5));

        // In the probationary period (rows 0..2): ignored
        assertThat(NabScorer.score(List.of(series(detectionsAt(1))), 0.5, STANDARD).raw()).isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void normalisesBetweenNullAndPerfect() {
        NabScorer.Score perfect = NabScorer.score(List.of(series(detectionsAt(10))), 0.5, STANDARD);
        assertThat(perfect.normalised()).isCloseTo(100.0, within(1e-9));
        NabScorer.Score none = NabScorer.score(List.of(series()), 0.5, STANDARD);
        assertThat(none.normalised()).isCloseTo(0.0, within(1e-9));
        // 0.95405 raw: (0.95405 + 1) / (0.98661 + 1) = 98.36
        assertThat(NabScorer.score(List.of(series(detectionsAt(11))), 0.5, STANDARD).normalised()).isCloseTo(98.36, within(0.01));
    }

    @Test
    void optimiserPicksTheBestThreshold() {
        double[] scores = new double[20];
        scores[5] = 0.9;  // a false positive with the highest score
        scores[11] = 0.7; // the true detection
        scores[16] = 0.3; // a later false positive
        NabScorer.ThresholdScore best = NabScorer.optimise(List.of(series(scores)), STANDARD);
        assertThat(best.threshold()).isEqualTo(0.7); // 0.9 alone misses the window; 0.3 adds a false positive
        assertThat(best.score().raw()).isCloseTo(0.95405 - 0.11, within(1e-4));
    }

    /** All 58 NAB series with their real windows: the perfect detector scores 100, the null detector 0. */
    @Test
    void perfectAndNullDetectorsOnTheRealLabels() throws Exception {
        assumeTrue(Files.isDirectory(NAB.resolve("data")), "NAB data not found at " + NAB + ": skipped");
        AnomalyWindows labels;
        try (InputStream in = Files.newInputStream(NAB.resolve("labels/combined_windows.json"))) {
            labels = AnomalyWindows.read(in, "combined_windows.json");
        }
        List<Series> perfect = new ArrayList<>();
        List<Series> nothing = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(NAB.resolve("data"))) {
            files = walk.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        assertThat(files).hasSize(58);
        int windows = 0;
        for (Path f : files) {
            TimeSeries ts = TimeSeries.read(f);
            String key = f.getParent().getFileName() + "/" + f.getFileName();
            List<AnomalyWindows.Window> ws = labels.forSeries(key);
            windows += ws.size();
            double[] p = new double[ts.size()];
            for (AnomalyWindows.Window w : ws) {
                for (int i = 0; i < ts.size(); i++) {
                    if (ts.timestamps()[i] >= w.start()) {
                        p[i] = 1; // the first record of the window
                        break;
                    }
                }
            }
            perfect.add(new Series(key, ts.timestamps(), p, ws));
            nothing.add(new Series(key, ts.timestamps(), new double[ts.size()], ws));
        }
        assertThat(windows).isGreaterThan(100);
        Map<String, CostMatrix> profiles = NabScorer.readProfiles(NAB.resolve("config/profiles.json"));
        assertThat(profiles).containsKeys("standard", "reward_low_FP_rate", "reward_low_FN_rate");
        for (CostMatrix costs : profiles.values()) {
            assertThat(NabScorer.optimise(perfect, costs).score().normalised()).isCloseTo(100.0, within(1e-9));
            assertThat(NabScorer.optimise(nothing, costs).score().normalised()).isCloseTo(0.0, within(1e-9));
        }
    }
}
