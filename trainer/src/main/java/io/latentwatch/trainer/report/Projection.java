package io.latentwatch.trainer.report;

/** Principal-component projection of small vectors (latent codes), by power iteration on the covariance. */
final class Projection {
    private Projection() {}

    /** Each row projected on the first two principal components (the second is 0 for one-wide codes). */
    static double[][] firstTwoComponents(float[][] rows) {
        int n = rows.length;
        int d = rows[0].length;
        double[] mean = new double[d];
        for (float[] r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / (double) n;
            }
        }
        double[][] cov = new double[d][d];
        for (float[] r : rows) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    cov[a][b] += (r[a] - mean[a]) * (r[b] - mean[b]) / n;
                }
            }
        }
        double[] v1 = leading(cov, null);
        double[] v2 = d > 1 ? leading(cov, v1) : new double[d];
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = rows[i][j] - mean[j];
                out[i][0] += c * v1[j];
                out[i][1] += c * v2[j];
            }
        }
        return out;
    }

    /** Leading eigenvector of a symmetric matrix, orthogonal to {@code except} when given. */
    private static double[] leading(double[][] m, double[] except) {
        int d = m.length;
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = 1.0 / Math.sqrt(d) + 1e-3 * j; // fixed start: the plot is reproducible
        }
        for (int it = 0; it < 200; it++) {
            if (except != null) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += v[j] * except[j];
                }
                for (int j = 0; j < d; j++) {
                    v[j] -= dot * except[j];
                }
            }
            double[] next = new double[d];
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    next[a] += m[a][b] * v[b];
                }
            }
            double norm = 0;
            for (double x : next) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm < 1e-12) {
                return v;
            }
            for (int j = 0; j < d; j++) {
                v[j] = next[j] / norm;
            }
        }
        return v;
    }
}
