package io.latentwatch.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Labelled anomaly windows in NAB's {@code combined_windows.json} layout: for each series key
 * ({@code category/file.csv}) a list of {@code [start, end]} timestamps.
 */
public final class AnomalyWindows {
    /** One labelled window, inclusive bounds in epoch milliseconds. */
    public record Window(long start, long end) {
        public boolean contains(long t) {
            return t >= start && t <= end;
        }
    }

    private final Map<String, List<Window>> bySeries;

    private AnomalyWindows(Map<String, List<Window>> bySeries) {
        this.bySeries = bySeries;
    }

    public static AnomalyWindows read(InputStream json, String source) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            Map<String, List<Window>> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<Window> windows = new ArrayList<>();
                for (JsonNode w : e.getValue()) {
                    windows.add(new Window(parse(w.get(0).asText()), parse(w.get(1).asText())));
                }
                out.put(e.getKey(), List.copyOf(windows));
            }
            return new AnomalyWindows(out);
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(source + ": not a NAB windows file: " + e.getMessage(), e);
        }
    }

    private static long parse(String text) {
        String t = text.length() > 19 ? text.substring(0, 19) : text; // drop NAB's ".000000"
        return TimeSeries.parseTimestamp(t);
    }

    /** Windows of a series, found by its file name (without directory or extension) or its full key. */
    public List<Window> forSeries(String name) {
        for (Map.Entry<String, List<Window>> e : bySeries.entrySet()) {
            String key = e.getKey();
            String base = key.substring(key.lastIndexOf('/') + 1).replaceFirst("\\.csv$", "");
            if (key.equals(name) || base.equals(name)) {
                return e.getValue();
            }
        }
        return List.of();
    }
}
