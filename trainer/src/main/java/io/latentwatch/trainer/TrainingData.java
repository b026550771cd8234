package io.latentwatch.trainer;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.data.CsvTable;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.core.features.SlidingWindow;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Rows ready for training: each row is one model input (a record, or a flattened window of W records,
 * time-major, built by {@link SlidingWindow} exactly as streaming builds it).
 *
 * @param source where the data came from (paths), for provenance
 * @param dataSha256 SHA-256 over feature names, window length and row values
 * @param featureNames names of one record's features
 * @param windowLength 1 for tabular rows, W for series windows
 * @param rows model inputs, each featureNames.size() * windowLength wide
 * @param labels per row labels when known (used only for evaluation, never for training)
 */
public record TrainingData(String source, String dataSha256, List<String> featureNames, int windowLength,
                           float[][] rows, Optional<int[]> labels) {

    public TrainingData {
        featureNames = List.copyOf(featureNames);
        if (rows.length == 0) {
            throw new IllegalArgumentException("no training rows from " + source);
        }
        int width = featureNames.size() * windowLength;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + width);
            }
        }
    }

    /** Tabular rows with the given feature names (window length 1). */
    public static TrainingData fromRows(String source, List<String> featureNames, float[][] rows) {
        return new TrainingData(source, hash(featureNames, 1, rows), featureNames, 1, rows, Optional.empty());
    }

    /** A CSV table; its label column, if any, is kept aside for evaluation. */
    public static TrainingData fromTable(CsvTable table) {
        return new TrainingData(table.source().toString(), hash(table.featureNames(), 1, table.rows()),
                table.featureNames(), 1, table.rows(), table.labels());
    }

    /**
     * Sliding windows of length W over the leading fraction of each series (what a detector has seen at
     * the end of its probationary period). Windows never span two series.
     */
    public static TrainingData fromSeries(String source, List<TimeSeries> series, int windowLength,
                                          double leadingFraction) {
        if (!(leadingFraction > 0 && leadingFraction <= 1)) {
            throw new IllegalArgumentException("leading fraction must lie in (0, 1]: " + leadingFraction);
        }
        List<float[]> windows = new ArrayList<>();
        for (TimeSeries s : series) {
            int n = (int) Math.floor(s.size() * leadingFraction);
            float[][] rows = Arrays.copyOf(s.asRows(), n);
            windows.addAll(SlidingWindow.windows(rows, windowLength));
        }
        float[][] rows = windows.toArray(float[][]::new);
        List<String> names = List.of("value");
        return new TrainingData(source, hash(names, windowLength, rows), names, windowLength, rows, Optional.empty());
    }

    private static String hash(List<String> names, int windowLength, float[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        ByteBuffer buf = ByteBuffer.allocate(Integer.BYTES + rows.length * width * Float.BYTES);
        buf.putInt(windowLength);
        for (float[] r : rows) {
            for (float v : r) {
                buf.putFloat(v);
            }
        }
        byte[] header = String.join(",", names).getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(header, header.length + buf.capacity());
        System.arraycopy(buf.array(), 0, all, header.length, buf.capacity());
        return ModelBundle.sha256(all);
    }

    /** Logical shape of one model input: {@code [F]} for records, {@code [W, F]} for windows. */
    public List<Integer> inputShape() {
        return windowLength == 1 ? List.of(featureNames.size()) : List.of(windowLength, featureNames.size());
    }

    /** Width of one model input. */
    public int inputWidth() {
        return featureNames.size() * windowLength;
    }
}
