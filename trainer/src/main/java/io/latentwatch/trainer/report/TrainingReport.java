package io.latentwatch.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.TrainingResult;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes what a person looks at after training, all drawn in Java: {@code loss.png} (train and validation
 * loss per epoch), {@code reconstructions.png} (originals above their reconstructions), {@code latent.png}
 * (the codes projected onto their first two principal components, coloured by label when there are
 * labels) and {@code metrics.json}. Reconstructions and codes come from ONNX Runtime on the bundle.
 */
public final class TrainingReport {
    private static final int SAMPLE = 2000;
    private static final int GRID = 10;

    private TrainingReport() {}

    /** Writes {@code loss.png} and {@code metrics.json} only; returns the paths written. */
    public static List<Path> write(TrainingResult result, Path dir) {
        System.setProperty("java.awt.headless", "true");
        Path metrics = dir.resolve("metrics.json");
        Path loss = writeLoss(result, dir);
        writeMetrics(result, metrics, Map.of());
        return List.of(loss, metrics);
    }

    /**
     * Writes all four files; {@code extra} entries (test figures, AUROC) go into {@code metrics.json}.
     * Returns the paths written.
     */
    public static List<Path> write(TrainingResult result, TrainingData data, Map<String, Object> extra, Path dir) {
        System.setProperty("java.awt.headless", "true");
        Path loss = writeLoss(result, dir);
        int[] pick = sample(data.rows().length, result.bundle().manifest().provenance().seed());
        float[][] rows = new float[pick.length][];
        for (int i = 0; i < pick.length; i++) {
            rows[i] = data.rows()[pick[i]];
        }
        float[][] latents = new float[rows.length][];
        float[][] recons = new float[Math.min(GRID, rows.length)][];
        double mse = 0;
        try (OnnxScorer scorer = OnnxScorer.open(result.bundle(), ScorerOptions.defaults())) {
            for (int from = 0; from < rows.length; from += 512) {
                int n = Math.min(512, rows.length - from);
                ScoreBatch b = scorer.score(Arrays.copyOfRange(rows, from, from + n));
                for (int i = 0; i < n; i++) {
                    latents[from + i] = b.latent(i);
                    float[] fe = b.featureError(i);
                    double s = 0;
                    for (float v : fe) {
                        s += v;
                    }
                    mse += s / fe.length;
                    if (from + i < recons.length) {
                        recons[from + i] = b.reconstruction(i);
                    }
                }
            }
        }
        int[] labels = data.labels().map(l -> Arrays.stream(pick).map(i -> l[i]).toArray()).orElse(null);
        Path grid = dir.resolve("reconstructions.png");
        writeReconstructions(Arrays.copyOf(rows, recons.length), recons, data.inputShape(), grid);
        Path latent = dir.resolve("latent.png");
        writeLatent(latents, labels, latent);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("sampleRows", rows.length);
        all.put("sampleReconstructionMse", mse / rows.length);
        all.putAll(extra);
        Path metrics = dir.resolve("metrics.json");
        writeMetrics(result, metrics, all);
        return List.of(loss, grid, latent, metrics);
    }

    private static Path writeLoss(TrainingResult result, Path dir) {
        Path loss = dir.resolve("loss.png");
        XYChart chart = new XYChartBuilder().width(800).height(500).title("Training loss")
                .xAxisTitle("epoch").yAxisTitle("training objective (normalised units)").build();
        boolean positive = result.trainLoss().stream().allMatch(v -> v > 0)
                && result.validationLoss().stream().allMatch(v -> v > 0);
        chart.getStyler().setYAxisLogarithmic(positive);
        double[] epochs = IntStream.rangeClosed(1, result.trainLoss().size()).asDoubleStream().toArray();
        chart.addSeries("train", epochs, toArray(result.trainLoss())).setMarker(SeriesMarkers.NONE);
        chart.addSeries("validation", epochs, toArray(result.validationLoss())).setMarker(SeriesMarkers.NONE);
        try {
            BitmapEncoder.saveBitmap(chart, loss.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + loss, e);
        }
        return loss;
    }

    private static void writeMetrics(TrainingResult result, Path metrics, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        ModelManifest manifest = result.bundle().manifest();
        m.put("modelId", manifest.modelId());
        m.put("modelVersion", manifest.modelVersion());
        m.put("architecture", manifest.architecture());
        m.put("settings", manifest.provenance().settings());
        m.put("epochs", result.trainLoss().size());
        m.put("trainLoss", result.trainLoss());
        m.put("validationLoss", result.validationLoss());
        m.put("epochSeconds", result.epochSeconds());
        m.put("warningThreshold", manifest.thresholds().warning());
        m.put("criticalThreshold", manifest.thresholds().critical());
        m.putAll(extra);
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(metrics.toFile(), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metrics, e);
        }
    }

    private static int[] sample(int n, long seed) {
        if (n <= SAMPLE) {
            return IntStream.range(0, n).toArray();
        }
        int[] all = IntStream.range(0, n).toArray();
        Random r = new Random(seed);
        for (int i = 0; i < SAMPLE; i++) {
            int j = i + r.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, SAMPLE);
    }

    /**
     * Originals (top row) above reconstructions (bottom row). Images are drawn as images; records and windows
     * as one strip of cells per input, grey level scaled per element over the shown originals.
     */
    static void writeReconstructions(float[][] originals, float[][] recons, List<Integer> shape, Path file) {
        boolean image = shape.size() == 3;
        int c = image ? shape.get(0) : 1;
        int h = image ? shape.get(1) : 1;
        int w = image ? shape.get(2) : originals[0].length;
        int cell = image ? Math.max(2, 84 / Math.max(h, w)) : Math.max(4, Math.min(24, 600 / w));
        int cellH = image ? cell : 24;
        int tileW = w * cell;
        int tileH = h * cellH;
        int pad = 4;
        int cols = originals.length;
        BufferedImage out = new BufferedImage(cols * (tileW + pad) + pad, 2 * (tileH + pad) + pad, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        int width = originals.length == 0 ? 0 : originals[0].length;
        double[] lo = new double[width];
        double[] hi = new double[width];
        for (int j = 0; j < width; j++) {
            lo[j] = image ? 0 : Double.POSITIVE_INFINITY;
            hi[j] = image ? 255 : Double.NEGATIVE_INFINITY;
            if (!image) {
                for (float[] r : originals) {
                    lo[j] = Math.min(lo[j], r[j]);
                    hi[j] = Math.max(hi[j], r[j]);
                }
            }
        }
        for (int k = 0; k < cols; k++) {
            for (int row = 0; row < 2; row++) {
                float[] v = row == 0 ? originals[k] : recons[k];
                int x0 = pad + k * (tileW + pad);
                int y0 = pad + row * (tileH + pad);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int[] rgb = new int[3];
                        for (int ch = 0; ch < 3; ch++) {
                            int idx = (c == 3 ? ch : 0) * h * w + y * w + x;
                            double span = hi[idx] - lo[idx];
                            double t = span > 0 ? (v[idx] - lo[idx]) / span : 0.5;
                            rgb[ch] = (int) Math.round(255 * Math.max(0, Math.min(1, t)));
                        }
                        g.setColor(new Color(rgb[0], rgb[1], rgb[2]));
                        g.fillRect(x0 + x * cell, y0 + y * cellH, cell, cellH);
                    }
                }
            }
        }
        g.dispose();
        try {
            ImageIO.write(out, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Latent codes on their first two principal components, one colour per label. */
    static void writeLatent(float[][] latents, int[] labels, Path file) {
        double[][] xy = Projection.firstTwoComponents(latents);
        XYChart chart = new XYChartBuilder().width(800).height(600).title("Latent codes (PCA)")
                .xAxisTitle("PC1").yAxisTitle("PC2").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < latents.length; i++) {
            groups.computeIfAbsent(labels == null ? 0 : labels[i], k -> new ArrayList<>()).add(i);
        }
        for (var e : groups.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(i -> xy[i][0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(i -> xy[i][1]).toArray();
            chart.addSeries(labels == null ? "codes" : "label " + e.getKey(), x, y);
        }
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
