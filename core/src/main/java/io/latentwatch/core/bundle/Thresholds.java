package io.latentwatch.core.bundle;

import java.util.Arrays;

/**
 * Alert thresholds on the anomaly score: WARNING at or above {@code warning}, CRITICAL at or above
 * {@code critical}. The quantiles record where on the validation error distribution they were taken.
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
