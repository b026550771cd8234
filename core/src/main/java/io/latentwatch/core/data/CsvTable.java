package io.latentwatch.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A numeric CSV table with a header row: feature columns, plus an optional label column that training
 * ignores (labels are kept only for evaluation).
 *
 * @param source file the table was read from
 * @param featureNames header names of the feature columns, in order
 * @param rows feature values, one array per data row
 * @param labels label per row, or empty when the table has no label column
 */
public record CsvTable(Path source, List<String> featureNames, float[][] rows, Optional<int[]> labels) {

    public CsvTable {
        featureNames = List.copyOf(featureNames);
    }

    /**
     * Reads a comma-separated file. Every cell of a feature column must parse as a finite number; the
     * label column, if named and present, must hold integers.
     */
    public static CsvTable read(Path file, String labelColumn) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || header.isBlank()) {
                throw new DataFormatException(file + ": the file is empty, expected a header row");
            }
            String[] names = splitLine(header);
            int labelIndex = labelColumn == null ? -1 : Arrays.asList(names).indexOf(labelColumn);
            List<String> featureNames = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                if (i != labelIndex) {
                    featureNames.add(names[i]);
                }
            }
            if (featureNames.isEmpty()) {
                throw new DataFormatException(file + ":1: no feature columns besides the label");
            }
            List<float[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = splitLine(line);
                if (cells.length != names.length) {
                    throw new DataFormatException(file + ":" + lineNo + ": row has " + cells.length
                            + " cells, the header has " + names.length);
                }
                float[] row = new float[featureNames.size()];
                int k = 0;
                for (int i = 0; i < cells.length; i++) {
                    if (i == labelIndex) {
                        labels.add(parseLabel(file, lineNo, names[i], cells[i]));
                    } else {
                        row[k++] = parseNumber(file, lineNo, names[i], cells[i]);
                    }
                }
                rows.add(row);
            }
            if (rows.isEmpty()) {
                throw new DataFormatException(file + ": the file has a header but no data rows");
            }
            Optional<int[]> labelArray = labelIndex < 0 ? Optional.empty()
                    : Optional.of(labels.stream().mapToInt(Integer::intValue).toArray());
            return new CsvTable(file, featureNames, rows.toArray(float[][]::new), labelArray);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String[] splitLine(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].trim();
            if (cells[i].length() >= 2 && cells[i].startsWith("\"") && cells[i].endsWith("\"")) {
                cells[i] = cells[i].substring(1, cells[i].length() - 1);
            }
        }
        return cells;
    }

    static float parseNumber(Path file, int lineNo, String column, String cell) {
        float v;
        try {
            v = Float.parseFloat(cell);
        } catch (NumberFormatException e) {
            throw new DataFormatException(file + ":" + lineNo + ": column '" + column + "' holds '" + cell
                    + "', not a number");
        }
        if (!Float.isFinite(v)) {
            throw new DataFormatException(file + ":" + lineNo + ": column '" + column + "' holds " + cell
                    + ", not a finite number");
        }
        return v;
    }

    private static int parseLabel(Path file, int lineNo, String column, String cell) {
        try {
            return (int) Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new DataFormatException(file + ":" + lineNo + ": label column '" + column + "' holds '" + cell
                    + "', not a number");
        }
    }
}
