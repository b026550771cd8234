package io.latentwatch.core.bundle;

import java.util.Arrays;

/**
 * Alert thresholds on the anomaly score: a record is anomalous when its score is strictly above
 * {@code warning} (WARNING), and CRITICAL when strictly above {@code critical}; a score equal to a threshold is
 * not above it. Strict, so that a model whose validation errors are all zero (trained on a constant series:
 * thresholds 0) does not flag every normal record, whose score is 0 too. {@link #isAnomalous} and
 * {@link #isCritical} are the one place that decides. The quantiles record where on the validation error
 * distribution the thresholds were taken.
 */
public record Thresholds(double warning, double critical, double warningQuantile, double criticalQuantile) {

    public Thresholds {
        if (!Double.isFinite(warning) || !Double.isFinite(critical)) {
            throw new IllegalArgumentException("thresholds must be finite: warning=" + warning + " critical=" + critical);
        }
        if (warning > critical) {
            throw new IllegalArgumentException("warning threshold " + warning + " is above critical threshold " + critical);
        }
    }

    /** Whether {@code score} is strictly above the warning threshold (so WARNING or CRITICAL). */
    public boolean isAnomalous(double score) {
        return score > warning;
    }

    /** Whether {@code score} is strictly above the critical threshold. */
    public boolean isCritical(double score) {
        return score > critical;
    }

    /**
     * Calibrates thresholds from the error distribution of held-out normal data.
     *
     * @param scores anomaly scores of validation rows
     * @param warningQuantile for example 0.99
     * @param criticalQuantile for example 0.999
     */
    public static Thresholds calibrate(double[] scores, double warningQuantile, double criticalQuantile) {
        if (!(warningQuantile > 0 && warningQuantile < 1) || !(criticalQuantile > 0 && criticalQuantile < 1)) {
            throw new IllegalArgumentException("quantiles must lie in (0, 1): warning=" + warningQuantile
                    + " critical=" + criticalQuantile);
        }
        if (warningQuantile > criticalQuantile) {
            throw new IllegalArgumentException("warning quantile " + warningQuantile
                    + " is above critical quantile " + criticalQuantile);
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        return new Thresholds(quantile(sorted, warningQuantile), quantile(sorted, criticalQuantile),
                warningQuantile, criticalQuantile);
    }

    /** Quantile of sorted values with linear interpolation between closest ranks (NumPy's default). */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("cannot take a quantile of zero values");
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = pos - lo;
        return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
    }
}
