package io.latentwatch.trainer.evaluation;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.data.ImageSet;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.TrainingResult;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Unsupervised evaluation: train on unlabelled rows, score with ONNX Runtime on the exported bundle
 * (exactly what serving computes), and rank the scores against labels that training never saw.
 */
public final class AnomalyEvaluation {
    /** What {@link #tabularDefault()} is, for help texts. */
    public static final String TABULAR_DEFAULT_DESCRIPTION =
            "dense d-32-4-32-d (ReLU, linear output), min-max scaling fitted on the data, MSE, Adam 1e-3, batch 64, "
            + "30 epochs, no early stop.";

    private AnomalyEvaluation() {}

    /** The default tabular model for evaluation (see docs/benchmarks.md for why). */
    public static TrainingConfig tabularDefault() {
        // min-max keeps heavy-tailed columns from dominating the error; a 4-wide code forces the model to
        // keep only the dominant structure, so rare rows reconstruct badly (mean AUROC .760 vs .732 for
        // standardised 64-32-8 on the ten ADBench sets)
        return TrainingConfig.defaults().withScaling(TrainingConfig.Scaling.MIN_MAX).withHiddenLayers(List.of(32))
                .withLatentDim(4).withEpochs(30).withPatience(1000).withValidationFraction(0.2);
    }

    /**
     * Scores and metrics of one evaluation.
     *
     * @param training the training run (bundle, losses)
     * @param scores ONNX Runtime score per evaluated row
     */
    public record Result(TrainingResult training, double[] scores, double auroc, double auprc) {}

    /**
     * Trains on all rows of {@code data} (labels hidden; early stopping watches a sample of the same rows) and
     * scores every row. Several seeds average their rank-normalised scores, which steadies small sets.
     */
    public static Result trainAndScoreAll(TrainingData data, TrainingConfig config, int seeds, Path workDir) {
        int[] labels = data.labels().orElseThrow(() -> new IllegalArgumentException(data.source()
                + " has no label column: evaluation needs labels (use --label-column)"));
        TrainingData unlabelled = new TrainingData(data.source(), data.dataSha256(), data.featureNames(),
                data.windowLength(), data.rows(), java.util.Optional.empty(), data.inputShape());
        double[] ensemble = new double[data.rows().length];
        TrainingResult first = null;
        for (int s = 0; s < seeds; s++) {
            TrainingConfig c = config.withSeed(config.seed() + s);
            TrainingResult r = AutoencoderTrainer.trainOnAllRows(unlabelled, c, workDir.resolve(seeds == 1 ? "bundle" : "bundle-" + s));
            double[] scores = score(r.bundle(), data.rows());
            double[] ranks = seeds == 1 ? scores : normalisedRanks(scores);
            for (int i = 0; i < ranks.length; i++) {
                ensemble[i] += ranks[i] / seeds;
            }
            first = first == null ? r : first;
        }
        return new Result(first, ensemble, RankMetrics.auroc(ensemble, labels), RankMetrics.auprc(ensemble, labels));
    }

    /**
     * One-class check: trains on the images of {@code normalClass} in {@code train}, scores all of {@code test}
     * and ranks them with every other class as the anomaly.
     */
    public static Result oneClass(ImageSet train, ImageSet test, int normalClass, TrainingConfig config, Path workDir) {
        TrainingData data = TrainingData.fromImages(train.ofClass(normalClass));
        TrainingResult r = AutoencoderTrainer.train(data, config, workDir);
        double[] scores = score(r.bundle(), test.pixels());
        int[] labels = Arrays.stream(test.labels().orElseThrow(() -> new IllegalArgumentException(test.source()
                + " has no labels"))).map(l -> l == normalClass ? 0 : 1).toArray();
        return new Result(r, scores, RankMetrics.auroc(scores, labels), RankMetrics.auprc(scores, labels));
    }

    /** ONNX Runtime scores of raw rows, in chunks. */
    public static double[] score(ModelBundle bundle, float[][] rows) {
        double[] out = new double[rows.length];
        try (OnnxScorer scorer = OnnxScorer.open(bundle, ScorerOptions.defaults())) {
            for (int from = 0; from < rows.length; from += 1024) {
                int n = Math.min(1024, rows.length - from);
                ScoreBatch b = scorer.score(Arrays.copyOfRange(rows, from, from + n));
                for (int i = 0; i < n; i++) {
                    out[from + i] = b.score(i);
                }
            }
        }
        return out;
    }

    private static double[] normalisedRanks(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] r = new double[scores.length];
        for (int k = 0; k < idx.length; k++) {
            r[idx[k]] = (double) k / Math.max(1, idx.length - 1);
        }
        return r;
    }
}
