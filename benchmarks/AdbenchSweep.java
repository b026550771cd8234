import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.data.CsvTable;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.evaluation.AnomalyEvaluation;
import io.latentwatch.trainer.evaluation.RankMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Candidate sweep for the default tabular model of {@code latentwatch evaluate}: every named candidate on all
 * ADBench sets in one JVM (same protocol as evaluate: unsupervised, all rows, labels only for scoring, ONNX
 * Runtime scores). Candidates are picked by name on the command line, see {@link #candidates()}.
 *
 * <pre>java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp app/target/latentwatch-app.jar \
 *     benchmarks/AdbenchSweep.java ../shared/data/adbench default seeds5 ...</pre>
 */
public final class AdbenchSweep {

    /** evaluate's config, how many seeds to rank-average, and how to turn feature errors into a score. */
    record Candidate(List<TrainingConfig> configs, int seeds) {
        Candidate(TrainingConfig config, int seeds) {
            this(List.of(config), seeds);
        }
    }

    static Map<String, Candidate> candidates() {
        // -Dsweep.seed=N re-runs every candidate from another base seed (seed variance of a figure)
        TrainingConfig d = AnomalyEvaluation.tabularDefault().withSeed(Long.getLong("sweep.seed", 42L));
        TrainingConfig std = d.withScaling(TrainingConfig.Scaling.STANDARD);
        TrainingConfig rob = d.withScaling(TrainingConfig.Scaling.ROBUST);
        Map<String, Candidate> m = new LinkedHashMap<>();
        m.put("default", new Candidate(d, 1));
        m.put("seeds5", new Candidate(d, 5));
        m.put("epochs10", new Candidate(d.withEpochs(10), 1));
        m.put("epochs100", new Candidate(d.withEpochs(100), 1));
        m.put("latent2", new Candidate(d.withLatentDim(2), 1));
        m.put("latent8", new Candidate(d.withLatentDim(8), 1));
        m.put("std-32-4", new Candidate(std, 1));
        m.put("robust-32-4", new Candidate(rob, 1));
        m.put("robust-32-4-seeds5", new Candidate(rob, 5));
        m.put("std-32-4-seeds5", new Candidate(std, 5));
        m.put("robust-32-2", new Candidate(rob.withLatentDim(2), 1));
        m.put("robust-64-32-4", new Candidate(rob.withHiddenLayers(List.of(64, 32)), 1));
        m.put("robust-32-4-e10", new Candidate(rob.withEpochs(10), 1));
        m.put("denoise", new Candidate(d.withVariant(TrainingConfig.Variant.DENOISING), 1));
        m.put("vae", new Candidate(d.withVariant(TrainingConfig.Variant.VAE), 1));
        m.put("robust-vae", new Candidate(rob.withVariant(TrainingConfig.Variant.VAE), 1));
        m.put("robust-denoise", new Candidate(rob.withVariant(TrainingConfig.Variant.DENOISING), 1));
        m.put("default-bs256", new Candidate(d.withBatchSize(256), 1));
        m.put("robust-bs256", new Candidate(rob.withBatchSize(256), 1));
        m.put("minmax-16-2", new Candidate(d.withHiddenLayers(List.of(16)).withLatentDim(2), 1));
        m.put("robust-32-4-e5", new Candidate(rob.withEpochs(5), 1));
        m.put("robust-32-4-e3", new Candidate(rob.withEpochs(3), 1));
        m.put("robust-32-4-e5-seeds5", new Candidate(rob.withEpochs(5), 5));
        m.put("robust-32-4-e10-seeds5", new Candidate(rob.withEpochs(10), 5));
        TrainingConfig mm162 = d.withHiddenLayers(List.of(16)).withLatentDim(2);
        m.put("mix-minmax-robust", new Candidate(List.of(d, rob), 1));
        m.put("mix-minmax-std-robust", new Candidate(List.of(d, std, rob), 1));
        m.put("mix-default-mm162", new Candidate(List.of(d, mm162), 1));
        m.put("mix-default-mm162-robust", new Candidate(List.of(d, mm162, rob), 1));
        m.put("mix-e100-mm162", new Candidate(List.of(d.withEpochs(100), mm162), 1));
        m.put("mix-default-vae", new Candidate(List.of(d, d.withVariant(TrainingConfig.Variant.VAE)), 1));
        m.put("mix-default-bs256", new Candidate(List.of(d, d.withBatchSize(256)), 1));
        m.put("mm162-seeds3", new Candidate(mm162, 3));
        m.put("mm162-e100", new Candidate(mm162.withEpochs(100), 1));
        m.put("robust-16-2", new Candidate(rob.withHiddenLayers(List.of(16)).withLatentDim(2), 1));
        return m;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<Path> sets;
        try (var s = Files.list(dir)) {
            sets = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        List<TrainingData> data = new ArrayList<>();
        for (Path p : sets) {
            data.add(TrainingData.fromTable(CsvTable.read(p, "label")));
        }
        Path work = Files.createTempDirectory("adbench-sweep");
        Map<String, Candidate> all = candidates();
        for (String name : Arrays.copyOfRange(args, 1, args.length)) {
            Candidate c = all.get(name);
            if (c == null) {
                throw new IllegalArgumentException("unknown candidate " + name + "; known: " + all.keySet());
            }
            long start = System.nanoTime();
            double[][][] r = new double[sets.size()][][];
            for (int k = 0; k < sets.size(); k++) {
                r[k] = evaluate(data.get(k), c, work.resolve(name + "-" + k));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            for (int kind = 0; kind < KINDS.size(); kind++) {
                StringBuilder line = new StringBuilder();
                double sumRoc = 0;
                double sumPr = 0;
                for (int k = 0; k < sets.size(); k++) {
                    sumRoc += r[k][kind][0];
                    sumPr += r[k][kind][1];
                    line.append(String.format(Locale.ROOT, " %s=%.3f", sets.get(k).getFileName().toString().replace(".csv", ""), r[k][kind][0]));
                }
                System.out.printf(Locale.ROOT, "%-30s mean_auroc=%.4f mean_auprc=%.4f seconds=%.0f%s%n", name + "/" + KINDS.get(kind),
                        sumRoc / sets.size(), sumPr / sets.size(), seconds, line);
            }
        }
    }

    /** Score kinds computed from the same models: mean error, max error, and both with per-feature errors
     * divided by that feature's mean error over all rows (so no feature dominates by its error scale). */
    static final List<String> KINDS = List.of("mean", "max", "wmean", "wmax", "latent", "mean+latent");

    /** AUROC and AUPRC per score kind (rank-averaged over seeds). */
    static double[][] evaluate(TrainingData data, Candidate c, Path work) {
        int[] labels = data.labels().orElseThrow();
        TrainingData unlabelled = new TrainingData(data.source(), data.dataSha256(), data.featureNames(),
                data.windowLength(), data.rows(), Optional.empty(), data.inputShape());
        float[][] rows = data.rows();
        int n = rows.length;
        double[][] ensemble = new double[KINDS.size()][n];
        int models = c.seeds() * c.configs().size();
        for (int s = 0; s < models; s++) {
            TrainingConfig base = c.configs().get(s % c.configs().size());
            TrainingConfig config = base.withSeed(base.seed() + s / c.configs().size());
            ModelBundle b = AutoencoderTrainer.trainOnAllRows(unlabelled, config, work.resolve("s" + s)).bundle();
            float[][] err = new float[n][];
            float[][] lat = new float[n][];
            try (OnnxScorer scorer = OnnxScorer.open(b, ScorerOptions.defaults())) {
                for (int from = 0; from < n; from += 1024) {
                    int m = Math.min(1024, n - from);
                    ScoreBatch batch = scorer.score(Arrays.copyOfRange(rows, from, from + m));
                    for (int i = 0; i < m; i++) {
                        err[from + i] = batch.featureError(i).clone();
                        lat[from + i] = batch.latent(i).clone();
                    }
                }
            }
            int w = err[0].length;
            double[] colMean = new double[w];
            for (float[] e : err) {
                for (int j = 0; j < w; j++) {
                    colMean[j] += e[j] / (double) n;
                }
            }
            double[][] scores = new double[KINDS.size()][n];
            for (int i = 0; i < n; i++) {
                double mean = 0, max = 0, wmean = 0, wmax = 0;
                for (int j = 0; j < w; j++) {
                    double e = err[i][j];
                    double we = e / Math.max(colMean[j], 1e-12);
                    mean += e / w;
                    max = Math.max(max, e);
                    wmean += we / w;
                    wmax = Math.max(wmax, we);
                }
                scores[0][i] = mean;
                scores[1][i] = max;
                scores[2][i] = wmean;
                scores[3][i] = wmax;
            }
            scores[4] = AnomalyEvaluation.latentDistance(lat);
            double[] ra = AnomalyEvaluation.normalisedRanks(scores[0]);
            double[] rb = AnomalyEvaluation.normalisedRanks(scores[4]);
            for (int i = 0; i < n; i++) {
                scores[5][i] = ra[i] + rb[i];
            }
            for (int k = 0; k < KINDS.size(); k++) {
                double[] r = models == 1 ? scores[k] : AnomalyEvaluation.normalisedRanks(scores[k]);
                for (int i = 0; i < n; i++) {
                    ensemble[k][i] += r[i] / models;
                }
            }
        }
        double[][] out = new double[KINDS.size()][];
        for (int k = 0; k < KINDS.size(); k++) {
            out[k] = new double[] {RankMetrics.auroc(ensemble[k], labels), RankMetrics.auprc(ensemble[k], labels)};
        }
        return out;
    }
}
