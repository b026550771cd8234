package io.latentwatch.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentwatch.trainer.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes what a person looks at after training: {@code loss.png} and {@code metrics.json}. */
public final class TrainingReport {
    private TrainingReport() {}

    /** Writes the report files into {@code dir}; returns the paths written. */
    public static List<Path> write(TrainingResult result, Path dir) {
        System.setProperty("java.awt.headless", "true");
        Path loss = dir.resolve("loss.png");
        Path metrics = dir.resolve("metrics.json");
        try {
            XYChart chart = new XYChartBuilder().width(800).height(500).title("Training loss")
                    .xAxisTitle("epoch").yAxisTitle("mean squared error (normalised units)").build();
            chart.getStyler().setYAxisLogarithmic(true);
            double[] epochs = IntStream.rangeClosed(1, result.trainLoss().size()).asDoubleStream().toArray();
            chart.addSeries("train", epochs, toArray(result.trainLoss())).setMarker(SeriesMarkers.NONE);
            chart.addSeries("validation", epochs, toArray(result.validationLoss())).setMarker(SeriesMarkers.NONE);
            BitmapEncoder.saveBitmap(chart, loss.toString(), BitmapEncoder.BitmapFormat.PNG);

            Map<String, Object> m = new LinkedHashMap<>();
            var manifest = result.bundle().manifest();
            m.put("modelId", manifest.modelId());
            m.put("modelVersion", manifest.modelVersion());
            m.put("epochs", result.trainLoss().size());
            m.put("trainLoss", result.trainLoss());
            m.put("validationLoss", result.validationLoss());
            m.put("warningThreshold", manifest.thresholds().warning());
            m.put("criticalThreshold", manifest.thresholds().critical());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(metrics.toFile(), m);
            return List.of(loss, metrics);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training report to " + dir, e);
        }
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
