package io.latentwatch.app;

import io.latentwatch.core.data.CsvTable;
import io.latentwatch.core.data.DataFormatException;
import io.latentwatch.core.data.IdxImages;
import io.latentwatch.core.data.ImageSet;
import io.latentwatch.core.files.ScratchDirectory;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.evaluation.AnomalyEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latentwatch evaluate}: unsupervised detection quality against labels training never sees. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains unsupervised on all rows of a labelled CSV (labels are used only for scoring), scores every "
                + "row with ONNX Runtime and prints, as its last line, auroc=<x> auprc=<y>.",
                "With --one-class: trains on one class of an IDX training set (e.g. Fashion-MNIST) and scores the test "
                + "set with every other class as the anomaly; one line per class, then the means.",
                "Tabular default: " + AnomalyEvaluation.TABULAR_DEFAULT_DESCRIPTION,
                "Exit codes: 0 evaluated, 1 failed, 2 bad arguments or data."})
final class EvaluateCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--data", paramLabel = "FILE.csv", description = "CSV: numeric feature columns and a label column (1 = anomaly).")
        Path data;
        @Option(names = "--one-class", description = "One-class image mode (needs --train-images, --train-labels, --test-images, --test-labels).")
        boolean oneClass;
    }

    @Option(names = "--label-column", defaultValue = "label", paramLabel = "NAME", description = "Label column (default: ${DEFAULT-VALUE}).")
    String labelColumn;
    @Option(names = "--seeds", defaultValue = "" + AnomalyEvaluation.TABULAR_DEFAULT_SEEDS, paramLabel = "N",
            description = "Models per scaling in tabular mode, seeds seed..seed+N-1, all rank-averaged (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--score", paramLabel = "KIND",
            description = "Tabular score per model: ${COMPLETION-CANDIDATES} (default: RECONSTRUCTION_AND_LATENT; "
                    + "RECONSTRUCTION is exactly the bundle's score, what serving alerts on).")
    AnomalyEvaluation.Score score = AnomalyEvaluation.TABULAR_DEFAULT_SCORE;
    @Option(names = "--train-images", paramLabel = "FILE") Path trainImages;
    @Option(names = "--train-labels", paramLabel = "FILE") Path trainLabels;
    @Option(names = "--test-images", paramLabel = "FILE") Path testImages;
    @Option(names = "--test-labels", paramLabel = "FILE") Path testLabels;
    @Option(names = "--classes", split = ",", paramLabel = "K", description = "Classes to evaluate in --one-class mode (default: all).")
    List<Integer> classes;
    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where bundles go, kept (default: a temporary directory, deleted at the end).")
    Path workDir;
    @Mixin
    ModelOptions model;

    @Override
    public Integer call() {
        try (ScratchDirectory dir = ScratchDirectory.keptOrTemporary(workDir, "latentwatch-eval")) {
            return input.oneClass ? oneClass(dir.path()) : tabular(dir.path());
        } catch (DataFormatException | IllegalArgumentException e) {
            System.err.println("latentwatch evaluate: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int tabular(Path dir) {
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
        }
        CsvTable table = CsvTable.read(input.data, labelColumn);
        if (table.labels().isEmpty()) {
            throw new IllegalArgumentException(input.data + ": no column '" + labelColumn + "' (set --label-column)");
        }
        TrainingData data = TrainingData.fromTable(table);
        TrainingConfig config = model.apply(AnomalyEvaluation.tabularDefault(), false).withModelId("evaluate");
        // without --scaling, one member per default scaling; --scaling picks a single model
        List<TrainingConfig> members = model.scaling != null ? List.of(config)
                : AnomalyEvaluation.TABULAR_DEFAULT_SCALINGS.stream().map(config::withScaling).toList();
        AnomalyEvaluation.Result r = AnomalyEvaluation.trainAndScoreAll(data, members, seeds, score, dir);
        System.err.printf("evaluated %s rows=%d model=%s scalings=%s score=%s seeds=%d epochs=%d%n", input.data,
                data.rows().length, config.variant().name().toLowerCase(),
                members.stream().map(m -> m.scaling().name().toLowerCase()).toList(), score.name().toLowerCase(), seeds,
                r.training().trainLoss().size());
        System.out.printf(Locale.ROOT, "auroc=%.4f auprc=%.4f%n", r.auroc(), r.auprc());
        return 0;
    }

    private int oneClass(Path dir) {
        if (trainImages == null || trainLabels == null || testImages == null || testLabels == null) {
            throw new IllegalArgumentException("--one-class needs --train-images, --train-labels, --test-images and --test-labels");
        }
        ImageSet train = IdxImages.read(trainImages, trainLabels, 0, 0);
        ImageSet test = IdxImages.read(testImages, testLabels, train.height(), train.width());
        TrainingConfig config = model.apply(TrainingConfig.defaults().withPreset(TrainingConfig.Preset.DENSE_128_64_32)
                .withEpochs(10), true).withModelId("one-class");
        List<Integer> ks = classes != null ? classes
                : IntStream.of(train.labels().orElseThrow()).distinct().sorted().boxed().toList();
        double sumRoc = 0;
        double sumPr = 0;
        for (int k : ks) {
            AnomalyEvaluation.Result r = AnomalyEvaluation.oneClass(train, test, k, config, dir.resolve("class-" + k));
            System.out.printf(Locale.ROOT, "class=%d auroc=%.4f auprc=%.4f epochs=%d%n", k, r.auroc(), r.auprc(),
                    r.training().trainLoss().size());
            sumRoc += r.auroc();
            sumPr += r.auprc();
        }
        System.out.printf(Locale.ROOT, "auroc=%.4f auprc=%.4f%n", sumRoc / ks.size(), sumPr / ks.size());
        return 0;
    }
}
