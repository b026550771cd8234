package io.latentwatch.trainer.retrain;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.trainer.evaluation.AnomalyEvaluation;
import io.latentwatch.trainer.evaluation.RankMetrics;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Champion and challenger scored by ONNX Runtime on the same held-back slice of recent data.
 *
 * @param holdoutRows rows in the slice
 * @param championAlertRate share of rows the champion scores strictly above its warning threshold
 * @param challengerAlertRate share of rows the challenger scores strictly above the champion's warning threshold
 * @param challengerOwnAlertRate share of rows the challenger scores strictly above its own warning threshold
 * @param scoreShift two-sample Kolmogorov-Smirnov distance between the two models' score distributions, 0 to 1
 * @param championMeanScore mean champion score
 * @param challengerMeanScore mean challenger score
 * @param championAuroc champion AUROC where the slice has labels with both classes
 * @param challengerAuroc challenger AUROC, likewise
 */
public record ModelComparison(int holdoutRows, double championAlertRate, double challengerAlertRate,
                              double challengerOwnAlertRate, double scoreShift, double championMeanScore,
                              double challengerMeanScore, OptionalDouble championAuroc, OptionalDouble challengerAuroc) {

    /**
     * Scores {@code holdout} with both bundles.
     *
     * @param labels 1 for anomalous rows, 0 for normal ones; null when there are none
     */
    public static ModelComparison compare(ModelBundle champion, ModelBundle challenger, float[][] holdout, int[] labels) {
        if (holdout.length == 0) {
            throw new IllegalArgumentException("the held-back slice is empty");
        }
        double[] a = AnomalyEvaluation.score(champion, holdout);
        double[] b = AnomalyEvaluation.score(challenger, holdout);
        double championWarning = champion.manifest().thresholds().warning();
        double challengerWarning = challenger.manifest().thresholds().warning();
        OptionalDouble aurocA = OptionalDouble.empty();
        OptionalDouble aurocB = OptionalDouble.empty();
        if (labels != null && Arrays.stream(labels).anyMatch(l -> l == 1) && Arrays.stream(labels).anyMatch(l -> l == 0)) {
            aurocA = OptionalDouble.of(RankMetrics.auroc(a, labels));
            aurocB = OptionalDouble.of(RankMetrics.auroc(b, labels));
        }
        return new ModelComparison(holdout.length, rateAbove(a, championWarning), rateAbove(b, championWarning),
                rateAbove(b, challengerWarning), ksDistance(a, b), mean(a), mean(b), aurocA, aurocB);
    }

    /** The figures as text, for the registry's decision log and the model event. */
    public Map<String, String> figures() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("holdoutRows", Integer.toString(holdoutRows));
        m.put("championAlertRate", fmt(championAlertRate));
        m.put("challengerAlertRate", fmt(challengerAlertRate));
        m.put("challengerOwnAlertRate", fmt(challengerOwnAlertRate));
        m.put("scoreShift", fmt(scoreShift));
        m.put("championMeanScore", fmt(championMeanScore));
        m.put("challengerMeanScore", fmt(challengerMeanScore));
        championAuroc.ifPresent(v -> m.put("championAuroc", fmt(v)));
        challengerAuroc.ifPresent(v -> m.put("challengerAuroc", fmt(v)));
        return m;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static double rateAbove(double[] scores, double threshold) {
        return (double) Arrays.stream(scores).filter(s -> s > threshold).count() / scores.length;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Largest gap between the two empirical distribution functions. */
    static double ksDistance(double[] x, double[] y) {
        double[] a = x.clone();
        double[] b = y.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            double v = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= v) {
                i++;
            }
            while (j < b.length && b[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
        }
        return d;
    }
}
