package io.latentwatch.app;

import io.latentwatch.core.data.CsvTable;
import io.latentwatch.core.data.DataFormatException;
import io.latentwatch.core.data.IdxImages;
import io.latentwatch.core.data.ImageFolder;
import io.latentwatch.core.data.ImageSet;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.TrainingResult;
import io.latentwatch.trainer.evaluation.AnomalyEvaluation;
import io.latentwatch.trainer.report.TrainingReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latentwatch train}: trains an autoencoder and writes a model bundle. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains an autoencoder (dense, conv, denoising, sparse or vae) on normal data and writes a model "
                + "bundle (model.onnx, manifest.json) plus loss.png, reconstructions.png, latent.png and metrics.json.",
                "Defaults: dense, hidden 64,32, latent 8, standardised inputs, MSE, Adam 1e-3, batch 64, 50 epochs, "
                + "patience 5, seed 42; image inputs are scaled by 1/255 with a Sigmoid output.",
                "Exit codes: 0 trained, 1 failed, 2 bad arguments or data."})
final class TrainCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--csv", paramLabel = "FILE", description = "CSV with a header row of numeric feature columns.")
        Path csv;
        @Option(names = "--series", paramLabel = "FILE", split = ",",
                description = "NAB-style timestamp,value series (comma-separated list); trained on sliding windows.")
        List<Path> series;
        @Option(names = "--idx", paramLabel = "FILE", description = "IDX image file (MNIST / Fashion-MNIST), gzip or not.")
        Path idx;
        @Option(names = "--images", paramLabel = "DIR", description = "Folder of PNG / JPEG images, resized to --image-shape.")
        Path images;
    }

    @Option(names = "--label-column", paramLabel = "NAME", description = "CSV column to ignore in training (kept for evaluation).")
    String labelColumn;
    @Option(names = "--idx-labels", paramLabel = "FILE", description = "IDX label file for --idx (colours latent.png).")
    Path idxLabels;
    @Option(names = "--test-idx", paramLabel = "FILE", description = "IDX test images: report their reconstruction MSE.")
    Path testIdx;
    @Option(names = "--image-shape", split = ",", paramLabel = "C,H,W", defaultValue = "3,64,64",
            description = "Model input for --images (default: ${DEFAULT-VALUE}).")
    List<Integer> imageShape;
    @Option(names = "--window", defaultValue = "32", description = "Window length W for --series (default: ${DEFAULT-VALUE}).")
    int window;
    @Option(names = EnsembleWindows.OPTION, paramLabel = "W,W...|none", defaultValue = "none",
            description = EnsembleWindows.DESCRIPTION + "; --series only, instead of --window (default: ${DEFAULT-VALUE}).")
    String ensembleWindowsOption;
    @Option(names = "--fraction", defaultValue = "1.0",
            description = "Train on the leading fraction of each series, e.g. 0.15 (default: ${DEFAULT-VALUE}).")
    double fraction;
    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Bundle directory to write.")
    Path out;
    @Option(names = "--model-id", defaultValue = "model", description = "Model id (default: ${DEFAULT-VALUE}).")
    String modelId;
    @Option(names = "--model-version", defaultValue = "1", description = "Model version (default: ${DEFAULT-VALUE}).")
    String modelVersion;
    @Mixin
    ModelOptions model;
    @Option(names = "--warning-quantile", defaultValue = "0.99", description = "Warning threshold quantile (default: ${DEFAULT-VALUE}).")
    double warningQuantile;
    @Option(names = "--critical-quantile", defaultValue = "0.999", description = "Critical threshold quantile (default: ${DEFAULT-VALUE}).")
    double criticalQuantile;

    @Override
    public Integer call() {
        TrainingConfig config;
        TrainingData data;
        List<Integer> ensembleWindows;
        float[][] test = null;
        try {
            ensembleWindows = EnsembleWindows.parse(ensembleWindowsOption);
            if (!ensembleWindows.isEmpty() && input.series == null) {
                throw new IllegalArgumentException(EnsembleWindows.OPTION + " needs --series (windows of records)");
            }
            if (input.csv != null) {
                data = TrainingData.fromTable(CsvTable.read(input.csv, labelColumn));
            } else if (input.idx != null) {
                data = TrainingData.fromImages(IdxImages.read(input.idx, idxLabels, 0, 0));
            } else if (input.images != null) {
                if (imageShape.size() != 3) {
                    throw new IllegalArgumentException("--image-shape takes C,H,W, got " + imageShape);
                }
                data = TrainingData.fromImages(ImageFolder.read(input.images, imageShape.get(0), imageShape.get(1),
                        imageShape.get(2)));
            } else {
                List<TimeSeries> series = new ArrayList<>();
                for (Path p : input.series) {
                    series.add(TimeSeries.read(p));
                }
                data = TrainingData.fromSeries(input.series.toString(), series,
                        ensembleWindows.isEmpty() ? window : EnsembleWindows.longest(ensembleWindows), fraction);
            }
            if (testIdx != null) {
                if (!data.isImage()) {
                    throw new IllegalArgumentException("--test-idx needs image training data (--idx or --images)");
                }
                ImageSet t = IdxImages.read(testIdx, null, data.inputShape().get(1), data.inputShape().get(2));
                test = t.pixels();
            }
            config = model.apply(TrainingConfig.defaults(), data.isImage()).withModelId(modelId)
                    .withModelVersion(modelVersion).withQuantiles(warningQuantile, criticalQuantile).withProgress(true);
        } catch (DataFormatException | IllegalArgumentException e) {
            System.err.println("latentwatch train: " + e.getMessage());
            return 2;
        }
        System.err.printf("training %s (%s) on %d rows of shape %s%n", modelId, config.variant().name().toLowerCase(),
                data.rows().length, data.inputShape());
        TrainingResult result;
        try {
            result = ensembleWindows.isEmpty() ? AutoencoderTrainer.train(data, config, out)
                    : AutoencoderTrainer.trainEnsemble(data, config, ensembleWindows, out);
        } catch (IllegalArgumentException e) {
            System.err.println("latentwatch train: " + e.getMessage());
            return 2;
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        if (test != null) {
            double[] scores = AnomalyEvaluation.score(result.bundle(), test);
            double sum = 0;
            for (double s : scores) {
                sum += s;
            }
            extra.put("testRows", scores.length);
            extra.put("testReconstructionMse", sum / scores.length);
        }
        List<Path> report = TrainingReport.write(result, data, extra, out);
        var t = result.bundle().manifest().thresholds();
        double meanEpoch = result.epochSeconds().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        System.out.printf("bundle=%s sha256=%s epochs=%d epoch_s=%.2f warning=%.6g critical=%.6g%s report=%s%n", out,
                result.bundle().manifest().onnxSha256(), result.trainLoss().size(), meanEpoch, t.warning(), t.critical(),
                extra.containsKey("testReconstructionMse") ? String.format(" test_mse=%.6f", extra.get("testReconstructionMse")) : "",
                report);
        return 0;
    }
}
