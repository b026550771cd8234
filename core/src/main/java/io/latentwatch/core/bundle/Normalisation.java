package io.latentwatch.core.bundle;

import java.util.Arrays;

/**
 * Per-element affine normalisation {@code (x - mean) / scale}, fitted on training data and applied inside
 * the ONNX graph. One entry per input element (features times window positions).
 */
public record Normalisation(double[] mean, double[] scale) {

    public Normalisation {
        if (mean.length != scale.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " entries but scale has " + scale.length);
        }
        mean = mean.clone();
        scale = scale.clone();
    }

    /** Fits mean and standard deviation per column; a constant column gets scale 1 so it cannot divide by zero. */
    public static Normalisation fit(float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot fit a normalisation on zero rows");
        }
        int width = rows[0].length;
        double[] mean = new double[width];
        double[] m2 = new double[width];
        long n = 0;
        for (float[] row : rows) {
            n++;
            for (int j = 0; j < width; j++) { // Welford: stable for long series with large offsets
                double delta = row[j] - mean[j];
                mean[j] += delta / n;
                m2[j] += delta * (row[j] - mean[j]);
            }
        }
        double[] scale = new double[width];
        for (int j = 0; j < width; j++) {
            double sd = Math.sqrt(m2[j] / Math.max(1, n - 1));
            scale[j] = sd > 1e-8 ? sd : 1.0;
        }
        return new Normalisation(mean, scale);
    }

    /**
     * Fits min-max scaling per column, so that training values map onto [0, 1] (what a Sigmoid output and
     * binary cross-entropy expect); a constant column gets scale 1.
     */
    public static Normalisation fitMinMax(float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot fit a normalisation on zero rows");
        }
        int width = rows[0].length;
        double[] min = new double[width];
        double[] max = new double[width];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (float[] row : rows) {
            for (int j = 0; j < width; j++) {
                min[j] = Math.min(min[j], row[j]);
                max[j] = Math.max(max[j], row[j]);
            }
        }
        double[] scale = new double[width];
        for (int j = 0; j < width; j++) {
            double range = max[j] - min[j];
            scale[j] = range > 1e-8 ? range : 1.0;
        }
        return new Normalisation(min, scale);
    }

    /**
     * Fits robust scaling per column: {@code (x - median) / IQR}, so a few extreme values (the anomalies an
     * unsupervised detector is fitted on) do not set the scale; a column whose IQR is zero falls back to
     * its range, and a constant column gets scale 1.
     */
    public static Normalisation fitRobust(float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot fit a normalisation on zero rows");
        }
        int width = rows[0].length;
        double[] median = new double[width];
        double[] scale = new double[width];
        float[] column = new float[rows.length];
        for (int j = 0; j < width; j++) {
            for (int i = 0; i < rows.length; i++) {
                column[i] = rows[i][j];
            }
            Arrays.sort(column);
            median[j] = quantile(column, 0.5);
            double iqr = quantile(column, 0.75) - quantile(column, 0.25);
            double range = (double) column[column.length - 1] - column[0];
            scale[j] = iqr > 1e-8 ? iqr : range > 1e-8 ? range : 1.0;
        }
        return new Normalisation(median, scale);
    }

    /** Linear-interpolated quantile of sorted values. */
    private static double quantile(float[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * ((double) sorted[hi] - sorted[lo]);
    }

    /** The same offset and scale for every element, e.g. {@code (0, 255)} for 8-bit pixels. */
    public static Normalisation uniform(int width, double offset, double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale must be positive: " + scale);
        }
        double[] m = new double[width];
        double[] s = new double[width];
        java.util.Arrays.fill(m, offset);
        java.util.Arrays.fill(s, scale);
        return new Normalisation(m, s);
    }

    /**
     * Normalises one row into {@code out} (no allocation: the trainer streams batches through this). The
     * arithmetic is the exported graph's, float subtraction then float division by the float constants, so
     * training sees bit for bit what serving computes.
     */
    public void applyTo(float[] row, float[] out, int offset) {
        for (int j = 0; j < mean.length; j++) {
            out[offset + j] = (row[j] - (float) mean[j]) / (float) scale[j];
        }
    }

    /** Per-window normalisation for series: one mean and scale shared by all W positions of each feature. */
    public static Normalisation fitShared(float[][] rows, int features, int windowLength) {
        Normalisation perElement = fit(rows);
        double[] mean = new double[features * windowLength];
        double[] scale = new double[features * windowLength];
        for (int f = 0; f < features; f++) {
            double m = 0;
            double s = 0;
            for (int t = 0; t < windowLength; t++) {
                m += perElement.mean[t * features + f];
                s += perElement.scale[t * features + f];
            }
            for (int t = 0; t < windowLength; t++) {
                mean[t * features + f] = m / windowLength;
                scale[t * features + f] = s / windowLength;
            }
        }
        return new Normalisation(mean, scale);
    }

    public int width() {
        return mean.length;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    /** Applies the normalisation to a copy of the rows (the trainer feeds these to the network). */
    public float[][] apply(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            float[] r = new float[rows[i].length];
            for (int j = 0; j < r.length; j++) {
                r[j] = (float) ((rows[i][j] - mean[j]) / scale[j]);
            }
            out[i] = r;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalisation n && Arrays.equals(mean, n.mean) && Arrays.equals(scale, n.scale);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "Normalisation[width=" + mean.length + "]";
    }
}
