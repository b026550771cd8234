package io.latentwatch.core.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentwatch.core.data.AnomalyWindows;
import io.latentwatch.core.data.DataFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Numenta Anomaly Benchmark's scoring rules (NAB v1.1), so that detectors can be scored in Java:
 *
 * <ul>
 *   <li>the first 15 % of each series (at most 750 records) is probationary: detections there do not count;</li>
 *   <li>inside a labelled window only the earliest detection counts, weighted by a scaled sigmoid of its
 *       position (a detection at the window's start earns {@code tp * 0.9866}, at its end about 0);</li>
 *   <li>a detection outside windows costs {@code fp} times a sigmoid of its distance past the last window
 *       (the full {@code fp} before the first window or far after one);</li>
 *   <li>a window with no detection costs {@code fn};</li>
 *   <li>the corpus total is normalised so the null detector scores 0 and the perfect one 100.</li>
 * </ul>
 */
public final class NabScorer {
    /** Share of each series that is probationary. */
    public static final double PROBATION_PERCENT = 0.15;

    private NabScorer() {}

    /** A NAB cost matrix (true negatives carry no weight in NAB's score). */
    public record CostMatrix(double tpWeight, double fpWeight, double fnWeight) {}

    /** One series as a detector saw it: timestamps, its anomaly scores, and the labelled windows. */
    public record Series(String name, long[] timestamps, double[] anomalyScores, List<AnomalyWindows.Window> windows) {
        public Series {
            if (timestamps.length != anomalyScores.length) {
                throw new IllegalArgumentException(name + ": " + timestamps.length + " timestamps but "
                        + anomalyScores.length + " scores");
            }
            for (int i = 0; i < anomalyScores.length; i++) {
                if (Double.isNaN(anomalyScores[i])) {
                    throw new IllegalArgumentException(name + ": anomaly score of record " + i + " is NaN");
                }
            }
            windows = List.copyOf(windows);
        }
    }

    /**
     * A corpus score.
     *
     * @param raw sum over series of the weighted detections
     * @param nullScore what the null detector (no detections) gets
     * @param perfectScore what the perfect detector (the first record of each window) gets
     * @param normalised 100 * (raw - null) / (perfect - null)
     * @param tp windows detected
     * @param fp detections outside windows (after probation)
     * @param fn windows missed
     */
    public record Score(double raw, double nullScore, double perfectScore, double normalised, int tp, int fp, int fn) {}

    /** A threshold and the corpus score it gives. */
    public record ThresholdScore(double threshold, Score score) {}

    /** Reads {@code config/profiles.json}: profile name to cost matrix. */
    public static Map<String, CostMatrix> readProfiles(Path profilesJson) {
        try {
            JsonNode root = new ObjectMapper().readTree(profilesJson.toFile());
            Map<String, CostMatrix> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode m = e.getValue().get("CostMatrix");
                out.put(e.getKey(), new CostMatrix(m.get("tpWeight").asDouble(), m.get("fpWeight").asDouble(),
                        m.get("fnWeight").asDouble()));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(profilesJson + ": not a NAB profiles file: " + e.getMessage(), e);
        }
    }

    /** Records at the start of a series whose detections are ignored. */
    public static int probationaryLength(int seriesLength) {
        return (int) Math.min(Math.floor(PROBATION_PERCENT * seriesLength), PROBATION_PERCENT * 5000);
    }

    /** NAB's scaled sigmoid: 2 * sigmoid(-5 x) - 1 for x up to 3, else -1. */
    public static double scaledSigmoid(double relativePosition) {
        if (relativePosition > 3.0) {
            return -1.0;
        }
        return 2.0 / (1.0 + Math.exp(5.0 * relativePosition)) - 1.0;
    }

    /**
     * Per-record weight of a detection, before the cost weights: positive inside windows (the scaled sigmoid of
     * the position), negative outside; NaN in the probationary period. {@code windowIndex[i]} receives the
     * window a record lies in, or -1.
     */
    static double[] detectionWeights(long[] timestamps, List<AnomalyWindows.Window> windows, int[] windowIndex) {
        int n = timestamps.length;
        double[] weight = new double[n];
        Arrays.fill(windowIndex, -1);
        int[][] bounds = windowRows(timestamps, windows);
        int probation = probationaryLength(n);
        int prevRight = -1;
        int prevWidth = 0;
        int w = 0;
        for (int i = 0; i < n; i++) {
            while (w < bounds.length && bounds[w][1] < i) { // passed window w
                if (bounds[w][1] >= bounds[w][0]) {
                    prevRight = bounds[w][1];
                    prevWidth = bounds[w][1] - bounds[w][0] + 1;
                }
                w++;
            }
            if (w < bounds.length && i >= bounds[w][0] && i <= bounds[w][1]) {
                int width = bounds[w][1] - bounds[w][0] + 1;
                weight[i] = scaledSigmoid(-(bounds[w][1] - i + 1) / (double) width);
                windowIndex[i] = w;
            } else if (prevRight < 0) {
                weight[i] = -1.0;
            } else {
                weight[i] = scaledSigmoid(Math.abs(prevRight - i) / (double) Math.max(1, prevWidth - 1));
            }
            if (i < probation) {
                weight[i] = Double.NaN;
            }
        }
        return weight;
    }

    /** Row index ranges [first, last] of each window (first > last when no record falls in it). */
    private static int[][] windowRows(long[] timestamps, List<AnomalyWindows.Window> windows) {
        List<AnomalyWindows.Window> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparingLong(AnomalyWindows.Window::start));
        int[][] out = new int[sorted.size()][];
        for (int k = 0; k < out.length; k++) {
            int first = lowerBound(timestamps, sorted.get(k).start());
            int last = lowerBound(timestamps, sorted.get(k).end() + 1) - 1;
            out[k] = new int[] {first, last};
        }
        return out;
    }

    private static int lowerBound(long[] a, long key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Scores binary detections ({@code anomalyScore >= threshold}) over a corpus. */
    public static Score score(List<Series> corpus, double threshold, CostMatrix costs) {
        return sweep(corpus, costs, new double[] {threshold}).get(0).score();
    }

    /**
     * NAB's optimiser: the threshold that maximises the corpus score, searched over every distinct anomaly
     * score (as NAB's sweeper does).
     */
    public static ThresholdScore optimise(List<Series> corpus, CostMatrix costs) {
        double[] candidates = corpus.stream().flatMapToDouble(s -> Arrays.stream(s.anomalyScores()))
                .distinct().sorted().toArray();
        double[] withNone = Arrays.copyOf(candidates, candidates.length + 1);
        withNone[candidates.length] = Double.POSITIVE_INFINITY; // no detections at all
        ThresholdScore best = null;
        for (ThresholdScore t : sweep(corpus, costs, withNone)) {
            if (best == null || t.score().raw() > best.score().raw()) {
                best = t;
            }
        }
        return best;
    }

    /** Corpus scores at each threshold, computed in one pass per threshold order (highest first). */
    static List<ThresholdScore> sweep(List<Series> corpus, CostMatrix costs, double[] thresholds) {
        // Every record of every series, with its weight, window id (global) and score.
        List<double[]> points = new ArrayList<>(); // {anomalyScore, weight, globalWindow}
        int totalWindows = 0;
        for (Series s : corpus) {
            int[] windowIndex = new int[s.timestamps().length];
            double[] weight = detectionWeights(s.timestamps(), s.windows(), windowIndex);
            for (int i = 0; i < weight.length; i++) {
                if (!Double.isNaN(weight[i])) {
                    points.add(new double[] {s.anomalyScores()[i], weight[i],
                            windowIndex[i] < 0 ? -1 : totalWindows + windowIndex[i]});
                }
            }
            totalWindows += s.windows().size();
        }
        points.sort((a, b) -> Double.compare(b[0], a[0]));
        double nullScore = -costs.fnWeight() * totalWindows;
        double perfectScore = costs.tpWeight() * scaledSigmoid(-1.0) * totalWindows;
        double[] bestInWindow = new double[totalWindows]; // weight of the earliest detection so far, 0 if none
        boolean[] detected = new boolean[totalWindows];
        double fpSum = 0;
        double tpSum = 0;
        int tp = 0;
        int fp = 0;
        Integer[] order = new Integer[thresholds.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Double.compare(thresholds[b], thresholds[a]));
        ThresholdScore[] out = new ThresholdScore[thresholds.length];
        int p = 0;
        for (int k : order) {
            double threshold = thresholds[k];
            while (p < points.size() && points.get(p)[0] >= threshold) {
                double[] pt = points.get(p++);
                int window = (int) pt[2];
                if (window < 0) {
                    fpSum += costs.fpWeight() * pt[1];
                    fp++;
                } else if (!detected[window]) {
                    detected[window] = true;
                    bestInWindow[window] = pt[1];
                    tpSum += costs.tpWeight() * pt[1];
                    tp++;
                } else if (pt[1] > bestInWindow[window]) { // an earlier record of the window: it counts instead
                    tpSum += costs.tpWeight() * (pt[1] - bestInWindow[window]);
                    bestInWindow[window] = pt[1];
                }
            }
            int fn = totalWindows - tp;
            double raw = tpSum + fpSum - costs.fnWeight() * fn;
            double normalised = perfectScore == nullScore ? 0 : 100 * (raw - nullScore) / (perfectScore - nullScore);
            out[k] = new ThresholdScore(threshold, new Score(raw, nullScore, perfectScore, normalised, tp, fp, fn));
        }
        return List.of(out);
    }
}
