package io.latentwatch.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * A univariate series in the NAB layout: a header {@code timestamp,value}, timestamps
 * {@code yyyy-MM-dd HH:mm:ss} read as UTC.
 *
 * @param source file the series came from
 * @param timestamps event times, epoch milliseconds
 * @param values one value per timestamp
 */
public record TimeSeries(Path source, long[] timestamps, float[] values) {
    private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    public TimeSeries {
        if (timestamps.length != values.length) {
            throw new IllegalArgumentException("timestamps and values differ in length");
        }
    }

    /** Parses a NAB timestamp as UTC epoch milliseconds. */
    public static long parseTimestamp(String text) {
        return LocalDateTime.parse(text.trim(), NAB_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** Formats epoch milliseconds the way NAB writes timestamps. */
    public static String formatTimestamp(long epochMillis) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000), 0, ZoneOffset.UTC).format(NAB_TIME);
    }

    public static TimeSeries read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !header.trim().toLowerCase().startsWith("timestamp")) {
                throw new DataFormatException(file + ":1: expected a header 'timestamp,value'");
            }
            long[] ts = new long[1024];
            float[] vs = new float[1024];
            int n = 0;
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (cells.length != 2) {
                    throw new DataFormatException(file + ":" + lineNo + ": expected 2 cells, found " + cells.length);
                }
                if (n == ts.length) {
                    ts = Arrays.copyOf(ts, n * 2);
                    vs = Arrays.copyOf(vs, n * 2);
                }
                try {
                    ts[n] = parseTimestamp(cells[0]);
                } catch (DateTimeParseException e) {
                    throw new DataFormatException(file + ":" + lineNo + ": timestamp '" + cells[0]
                            + "' is not yyyy-MM-dd HH:mm:ss");
                }
                vs[n] = CsvTable.parseNumber(file, lineNo, "value", cells[1].trim());
                n++;
            }
            if (n == 0) {
                throw new DataFormatException(file + ": the series has no rows");
            }
            return new TimeSeries(file, Arrays.copyOf(ts, n), Arrays.copyOf(vs, n));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public int size() {
        return values.length;
    }

    /** The values as one-feature rows, ready for {@code SlidingWindow}. */
    public float[][] asRows() {
        float[][] rows = new float[values.length][1];
        for (int i = 0; i < values.length; i++) {
            rows[i][0] = values[i];
        }
        return rows;
    }
}
