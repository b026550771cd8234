package io.latentwatch.app;

import io.latentwatch.core.data.CsvTable;
import io.latentwatch.core.data.DataFormatException;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.TrainingResult;
import io.latentwatch.trainer.report.TrainingReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code latentwatch train}: trains an autoencoder and writes a model bundle. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a dense autoencoder on normal data and writes a model bundle (model.onnx, "
                + "manifest.json) plus loss.png and metrics.json.",
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
    }

    @Option(names = "--label-column", paramLabel = "NAME", description = "CSV column to ignore in training (kept for evaluation).")
    String labelColumn;
    @Option(names = "--window", defaultValue = "32", description = "Window length W for --series (default: ${DEFAULT-VALUE}).")
    int window;
    @Option(names = "--fraction", defaultValue = "1.0",
            description = "Train on the leading fraction of each series, e.g. 0.15 (default: ${DEFAULT-VALUE}).")
    double fraction;
    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Bundle directory to write.")
    Path out;
    @Option(names = "--model-id", defaultValue = "model", description = "Model id (default: ${DEFAULT-VALUE}).")
    String modelId;
    @Option(names = "--model-version", defaultValue = "1", description = "Model version (default: ${DEFAULT-VALUE}).")
    String modelVersion;
    @Option(names = "--hidden", split = ",", defaultValue = "64,32", description = "Encoder hidden widths (default: ${DEFAULT-VALUE}).")
    List<Integer> hidden;
    @Option(names = "--latent", defaultValue = "8", description = "Latent width (default: ${DEFAULT-VALUE}).")
    int latent;
    @Option(names = "--epochs", defaultValue = "50", description = "Maximum epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;
    @Option(names = "--patience", defaultValue = "5", description = "Early-stopping patience in epochs (default: ${DEFAULT-VALUE}).")
    int patience;
    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--warning-quantile", defaultValue = "0.99", description = "Warning threshold quantile (default: ${DEFAULT-VALUE}).")
    double warningQuantile;
    @Option(names = "--critical-quantile", defaultValue = "0.999", description = "Critical threshold quantile (default: ${DEFAULT-VALUE}).")
    double criticalQuantile;

    @Override
    public Integer call() {
        TrainingConfig config;
        TrainingData data;
        try {
            config = TrainingConfig.defaults().withModelId(modelId).withModelVersion(modelVersion)
                    .withHiddenLayers(hidden).withLatentDim(latent).withEpochs(epochs).withBatchSize(batchSize)
                    .withLearningRate(learningRate).withPatience(patience).withSeed(seed)
                    .withQuantiles(warningQuantile, criticalQuantile).withProgress(true);
            if (input.csv != null) {
                data = TrainingData.fromTable(CsvTable.read(input.csv, labelColumn));
            } else {
                List<TimeSeries> series = new ArrayList<>();
                for (Path p : input.series) {
                    series.add(TimeSeries.read(p));
                }
                data = TrainingData.fromSeries(input.series.toString(), series, window, fraction);
            }
        } catch (DataFormatException | IllegalArgumentException e) {
            System.err.println("latentwatch train: " + e.getMessage());
            return 2;
        }
        System.err.printf("training %s on %d rows of width %d%n", modelId, data.rows().length, data.inputWidth());
        TrainingResult result = AutoencoderTrainer.train(data, config, out);
        List<Path> report = TrainingReport.write(result, out);
        var t = result.bundle().manifest().thresholds();
        System.out.printf("bundle=%s sha256=%s epochs=%d warning=%.6g critical=%.6g report=%s%n", out,
                result.bundle().manifest().onnxSha256(), result.trainLoss().size(), t.warning(), t.critical(), report);
        return 0;
    }
}
