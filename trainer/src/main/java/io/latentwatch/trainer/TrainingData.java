package io.latentwatch.trainer;

import io.latentwatch.core.data.CsvTable;
import io.latentwatch.core.data.ImageSet;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.core.features.SlidingWindow;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
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
 * @param inputShape logical shape of one model input: {@code [F]} for records, {@code [W, F]} for windows,
 *     {@code [C, H, W]} for images
 */
public record TrainingData(String source, String dataSha256, List<String> featureNames, int windowLength,
                           float[][] rows, Optional<int[]> labels, List<Integer> inputShape) {

    public TrainingData {
        featureNames = List.copyOf(featureNames);
        inputShape = List.copyOf(inputShape);
        if (inputShape.stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b) != featureNames.size() * windowLength) {
            throw new IllegalArgumentException("input shape " + inputShape + " does not hold " + featureNames.size()
                    * windowLength + " elements");
        }
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
        return new TrainingData(source, hash(featureNames, 1, rows), featureNames, 1, rows, Optional.empty(),
                List.of(featureNames.size()));
    }

    /** A CSV table; its label column, if any, is kept aside for evaluation. */
    public static TrainingData fromTable(CsvTable table) {
        return new TrainingData(table.source().toString(), hash(table.featureNames(), 1, table.rows()),
                table.featureNames(), 1, table.rows(), table.labels(), List.of(table.featureNames().size()));
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
        return new TrainingData(source, hash(names, windowLength, rows), names, windowLength, rows, Optional.empty(),
                windowLength == 1 ? List.of(1) : List.of(windowLength, 1));
    }

    /** Images as flat rows of C*H*W pixel values (input shape {@code [C, H, W]}); labels kept for evaluation. */
    public static TrainingData fromImages(ImageSet images) {
        List<String> names = images.elementNames();
        return new TrainingData(images.source(), hash(names, 1, images.pixels()), names, 1, images.pixels(),
                images.labels(), images.shape());
    }

    /**
     * The same windows cut to their last {@code records} records (the trailing columns of each time-major row):
     * what a model of that shorter window sees at the same moments, so both score the same records.
     */
    public TrainingData recentRecords(int records) {
        if (isImage() || records < 1 || records > windowLength) {
            throw new IllegalArgumentException("can cut windows of " + windowLength + " records to 1.." + windowLength
                    + " records, not " + records + (isImage() ? " (images are not windows)" : ""));
        }
        int from = (windowLength - records) * featureNames.size();
        float[][] cut = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            cut[i] = Arrays.copyOfRange(rows[i], from, rows[i].length);
        }
        return new TrainingData(source, hash(featureNames, records, cut), featureNames, records, cut, labels,
                records == 1 ? List.of(featureNames.size()) : List.of(records, featureNames.size()));
    }

    /** True for image inputs ({@code [C, H, W]}). */
    public boolean isImage() {
        return inputShape.size() == 3;
    }

    private static String hash(List<String> names, int windowLength, float[][] rows) {
        // streamed through the digest: a copy of 60 000 images would double the heap
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(String.join(",", names).getBytes(StandardCharsets.UTF_8));
            ByteBuffer buf = ByteBuffer.allocate(Math.max(Integer.BYTES, (rows.length == 0 ? 0 : rows[0].length) * Float.BYTES));
            buf.putInt(windowLength);
            md.update(buf.array(), 0, Integer.BYTES);
            for (float[] r : rows) {
                buf.clear();
                for (float v : r) {
                    buf.putFloat(v);
                }
                md.update(buf.array(), 0, buf.position());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Width of one model input. */
    public int inputWidth() {
        return featureNames.size() * windowLength;
    }
}
