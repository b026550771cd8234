package io.latentwatch.trainer.internal;

/**
 * Per-dimension mean and variance of latent codes: what "far from the normal rows' codes" is measured against, by the
 * evaluation's latent-distance rank and by the latent-distance term of an exported score.
 *
 * @param mean mean of each code dimension
 * @param variance population variance of each code dimension
 */
public record CodeStatistics(double[] mean, double[] variance) {
    /** Floor of a variance used as a divisor: a dimension the codes never move adds nothing but rounding. */
    public static final double MIN_VARIANCE = 1e-12;

    public static CodeStatistics of(float[][] codes) {
        int n = codes.length;
        int k = codes[0].length;
        double[] mean = new double[k];
        double[] variance = new double[k];
        for (float[] z : codes) {
            for (int j = 0; j < k; j++) {
                mean[j] += z[j] / (double) n;
            }
        }
        for (float[] z : codes) {
            for (int j = 0; j < k; j++) {
                variance[j] += (z[j] - mean[j]) * (z[j] - mean[j]) / n;
            }
        }
        return new CodeStatistics(mean, variance);
    }
}
