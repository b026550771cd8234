package io.latentwatch.trainer;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.L2Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.onnxruntime.OrtEnvironment;
import io.latentwatch.core.bundle.BundleContract;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.bundle.Normalisation;
import io.latentwatch.core.bundle.Provenance;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.files.ScratchDirectory;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.trainer.internal.ProgressBar;
import io.latentwatch.trainer.onnx.AutoencoderGraph;
import io.latentwatch.trainer.onnx.EnsembleGraph;
import io.latentwatch.trainer.internal.AutoencoderNetwork;
import io.latentwatch.trainer.internal.Checkpoint;
import io.latentwatch.trainer.internal.CodeStatistics;
import io.latentwatch.trainer.internal.DenormalFlush;
import io.latentwatch.trainer.internal.FusedAdam;
import io.latentwatch.trainer.internal.LossTerms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an autoencoder of any {@link TrainingConfig.Variant} with DJL (PyTorch engine) on normal data, calibrates thresholds on held-out
 * rows, and writes a model bundle whose ONNX graph does all serving maths.
 *
 * <p>The same seed on the same data gives the same model (with one intra-op thread): initialisation,
 * shuffling and the validation split all draw from it.
 */
public final class AutoencoderTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderTrainer.class);

    /**
     * Member k of an ensemble trains with the ensemble's seed plus k times this, so runs whose seeds differ by less
     * share no member's random draws.
     */
    static final long MEMBER_SEED_STRIDE = 1000;
    /** Provenance setting of an ensemble's window lengths. */
    static final String ENSEMBLE_WINDOWS = "ensembleWindows";

    private AutoencoderTrainer() {}

    /** Trains, exports and verifies: the returned bundle was loaded back from {@code bundleDir}. */
    public static TrainingResult train(TrainingData data, TrainingConfig config, Path bundleDir) {
        Split split = Split.of(data.rows(), config.validationFraction(), config.seed());
        List<Double> trainLoss = new ArrayList<>();
        List<Double> validationLoss = new ArrayList<>();
        List<Double> epochSeconds = new ArrayList<>();
        try (FittedAutoencoder fitted = fit(split.train(), split.validation(), data.inputShape(), config, trainLoss,
                validationLoss, epochSeconds)) {
            ModelBundle bundle = export(fitted, data, config, split.validation(), trainLoss, validationLoss, bundleDir);
            return new TrainingResult(bundle, trainLoss, validationLoss, epochSeconds);
        }
    }

    /**
     * Trains on every row (the unsupervised evaluation protocol: nothing is held back); early stopping and
     * thresholds use a seeded sample of {@code validationFraction} of the same rows.
     */
    public static TrainingResult trainOnAllRows(TrainingData data, TrainingConfig config, Path bundleDir) {
        float[][] monitor = Split.of(data.rows(), config.validationFraction(), config.seed()).validation();
        List<Double> trainLoss = new ArrayList<>();
        List<Double> validationLoss = new ArrayList<>();
        List<Double> epochSeconds = new ArrayList<>();
        try (FittedAutoencoder fitted = fit(data.rows(), monitor, data.inputShape(), config, trainLoss,
                validationLoss, epochSeconds)) {
            ModelBundle bundle = export(fitted, data, config, monitor, trainLoss, validationLoss, bundleDir);
            return new TrainingResult(bundle, trainLoss, validationLoss, epochSeconds);
        }
    }

    /** {@link #fit(float[][], float[][], List, TrainingConfig, List, List, List)} for flat records. */
    public static FittedAutoencoder fit(float[][] train, float[][] validation, TrainingConfig config,
                                        List<Double> trainLoss, List<Double> validationLoss) {
        if (train.length == 0) {
            throw new IllegalArgumentException("need training rows");
        }
        return fit(train, validation, List.of(train[0].length), config, trainLoss, validationLoss, new ArrayList<>());
    }

    /**
     * Fits the network, keeping the weights of the epoch with the lowest validation loss. Losses and
     * seconds per epoch are appended to the given lists. Batches are normalised (and corrupted, for
     * denoising) one at a time, so memory beyond the raw rows stays at one batch. With a checkpoint
     * directory, every epoch is saved there and a later run with the same settings resumes after the last
     * saved epoch (optimiser moments restart). The caller closes the result.
     */
    public static FittedAutoencoder fit(float[][] train, float[][] validation, List<Integer> inputShape,
                                        TrainingConfig config, List<Double> trainLoss, List<Double> validationLoss,
                                        List<Double> epochSeconds) {
        if (train.length == 0 || validation.length == 0) {
            throw new IllegalArgumentException("need training and validation rows, got " + train.length
                    + " and " + validation.length);
        }
        int width = train[0].length;
        Normalisation normalisation = switch (config.scaling()) {
            case STANDARD -> Normalisation.fit(train);
            case MIN_MAX -> Normalisation.fitMinMax(train);
            case ROBUST -> Normalisation.fitRobust(train);
            case PIXELS -> Normalisation.uniform(width, 0, 255);
        };

        Engine.getInstance().setRandomSeed((int) config.seed());
        AutoencoderNetwork net = AutoencoderNetwork.build(config, inputShape);
        Model model = Model.newInstance(config.modelId(), "PyTorch");
        model.setBlock(net);
        FittedAutoencoder fitted = new FittedAutoencoder(model, net, normalisation, config);
        Optimizer optimizer = config.optimizer() == TrainingConfig.OptimizerKind.SGD
                ? Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) config.learningRate())).build()
                : Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) config.learningRate())).build();
        // DJL's Adam is the fallback where libtorch's fused kernel cannot be reached (see fusedAdam)
        // the Loss object is unused (the objective is computed in LossTerms) but DJL requires one
        DefaultTrainingConfig tc = new DefaultTrainingConfig(new L2Loss("unused", 1f)).optOptimizer(optimizer);
        ProgressBar bar = config.progress() ? new ProgressBar(System.err, config.epochs()) : null;
        try (Trainer trainer = initialised(model.newTrainer(tc), new Shape(config.batchSize(), width));
             DenormalFlush flush = DenormalFlush.onThisThread();
             FusedAdam fusedAdam = fusedAdam(config, net, trainer)) {
            int[] order = new int[train.length];
            double best = Double.POSITIVE_INFINITY;
            float[][] bestParams = net.snapshot();
            int sinceBest = 0;
            int firstEpoch = 1;
            Checkpoint resumed = config.checkpointDir() == null ? null
                    : Checkpoint.readIfPresent(config.checkpointDir(), fingerprint(config, inputShape, train.length));
            if (resumed != null) {
                net.restore(resumed.params());
                bestParams = resumed.bestParams();
                best = resumed.best();
                sinceBest = resumed.sinceBest();
                trainLoss.addAll(resumed.trainLoss());
                validationLoss.addAll(resumed.validationLoss());
                epochSeconds.addAll(resumed.epochSeconds());
                firstEpoch = resumed.trainLoss().size() + 1;
                LOG.info("resumed checkpoint={} after_epoch={}", config.checkpointDir(), firstEpoch - 1);
            }
            float[] flat = new float[config.batchSize() * width];
            float[] noisy = new float[config.batchSize() * width];
            for (int epoch = firstEpoch; epoch <= config.epochs() && sinceBest < config.patience(); epoch++) {
                // one stream per epoch, so a resumed run shuffles and corrupts as an uninterrupted one would
                Random random = new Random(config.seed() * 1_000_003L + epoch);
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                shuffle(order, random);
                long start = System.nanoTime();
                double lossSum = 0;
                int done = 0;
                for (int from = 0; from < order.length; from += config.batchSize()) {
                    int b = Math.min(config.batchSize(), order.length - from);
                    for (int i = 0; i < b; i++) {
                        normalisation.applyTo(train[order[from + i]], flat, i * width);
                    }
                    float[] input = corrupt(config.noise(), flat, noisy, b * width, random);
                    boolean full = b == config.batchSize();
                    try (NDManager batch = trainer.getManager().newSubManager()) {
                        NDArray target = batch.create(full ? flat : Arrays.copyOf(flat, b * width), new Shape(b, width));
                        NDArray x = input == flat ? target
                                : batch.create(full ? input : Arrays.copyOf(input, b * width), new Shape(b, width));
                        float batchLoss;
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList out = trainer.forward(new NDList(x));
                            NDArray loss = LossTerms.objective(config, target, out);
                            gc.backward(loss);
                            batchLoss = loss.getFloat();
                            lossSum += batchLoss * b;
                        }
                        // an exact fit (e.g. a constant series: zero inputs, zero biases) has all-zero
                        // gradients, which DJL's step refuses; there is nothing to update then
                        if (batchLoss != 0f) {
                            if (fusedAdam != null) {
                                fusedAdam.step();
                            } else {
                                trainer.step();
                            }
                        }
                    }
                    done += b;
                    if (bar != null) {
                        bar.step(epoch, done, order.length, lossSum / done, done / seconds(start));
                    }
                }
                double epochLoss = lossSum / order.length;
                double seconds = seconds(start);
                double valLoss = evaluate(trainer, config, normalisation, validation);
                trainLoss.add(epochLoss);
                validationLoss.add(valLoss);
                epochSeconds.add(seconds);
                if (bar != null) {
                    bar.endEpoch(epoch, order.length, epochLoss, valLoss, order.length / seconds);
                }
                if (!Double.isFinite(epochLoss)) {
                    throw new IllegalStateException("training diverged at epoch " + epoch + " (loss " + epochLoss
                            + "); lower the learning rate");
                }
                if (valLoss < best - 1e-7) {
                    best = valLoss;
                    bestParams = net.snapshot();
                    sinceBest = 0;
                } else if (++sinceBest >= config.patience()) {
                    LOG.info("early stop epoch={} best_val_loss={}", epoch, best);
                }
                if (config.checkpointDir() != null) {
                    new Checkpoint(fingerprint(config, inputShape, train.length), trainLoss, validationLoss,
                            epochSeconds, best, sinceBest, net.snapshot(), bestParams).write(config.checkpointDir());
                }
            }
            net.restore(bestParams);
        } catch (RuntimeException e) {
            fitted.close();
            throw e;
        }
        return fitted;
    }

    private static Trainer initialised(Trainer trainer, Shape inputShape) {
        trainer.initialize(inputShape);
        return trainer;
    }

    /**
     * libtorch's fused Adam for every parameter, or null to keep DJL's optimizer (SGD, or no fused kernel):
     * DJL's Adam spends more per step than the forward and backward passes of the notes' dense networks.
     * Same hyper-parameters as DJL's defaults.
     */
    private static FusedAdam fusedAdam(TrainingConfig config, AutoencoderNetwork net, Trainer trainer) {
        if (config.optimizer() != TrainingConfig.OptimizerKind.ADAM) {
            return null;
        }
        List<NDArray> weights = net.getParameters().values().stream().map(Parameter::getArray).toList();
        return FusedAdam.create(weights, trainer.getManager(), config.learningRate(), 0.9, 0.999, 1e-8).orElse(null);
    }

    /** Identifies the run a checkpoint belongs to: settings that shape the network or the data. */
    private static String fingerprint(TrainingConfig config, List<Integer> inputShape, int rows) {
        Map<String, String> p = new LinkedHashMap<>(config.asProvenance());
        p.remove("maxEpochs");
        p.remove("patience");
        return p + " seed=" + config.seed() + " shape=" + inputShape + " rows=" + rows;
    }

    /** The corrupted copy of a normalised batch, or the batch itself when there is no noise. */
    private static float[] corrupt(TrainingConfig.Noise noise, float[] clean, float[] into, int n, Random random) {
        switch (noise.kind()) {
            case NONE:
                return clean;
            case GAUSSIAN:
                for (int i = 0; i < n; i++) {
                    into[i] = clean[i] + (float) (noise.level() * random.nextGaussian());
                }
                break;
            case MASKING:
                for (int i = 0; i < n; i++) {
                    into[i] = random.nextDouble() < noise.level() ? 0f : clean[i];
                }
                break;
            default:
                throw new IllegalStateException("unknown noise " + noise.kind());
        }
        return into;
    }

    private static double seconds(long startNanos) {
        return Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    }

    /** The objective on held-out rows in inference mode (no noise; a VAE decodes its mean). */
    private static double evaluate(Trainer trainer, TrainingConfig config, Normalisation normalisation, float[][] rows) {
        int width = normalisation.width();
        double sum = 0;
        int chunk = 512;
        float[] flat = new float[chunk * width];
        for (int from = 0; from < rows.length; from += chunk) {
            int b = Math.min(chunk, rows.length - from);
            for (int i = 0; i < b; i++) {
                normalisation.applyTo(rows[from + i], flat, i * width);
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray x = batch.create(Arrays.copyOf(flat, b * width), new Shape(b, width));
                NDList out = trainer.evaluate(new NDList(x));
                sum += LossTerms.objective(config, x, out).getFloat() * b;
            }
        }
        return sum / rows.length;
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * Writes the bundle: exports the graph, scores the validation rows with ONNX Runtime (so thresholds
     * come from exactly what serving computes), and writes the manifest with thresholds and provenance.
     */
    static ModelBundle export(FittedAutoencoder fitted, TrainingData data, TrainingConfig config, float[][] validation,
                              List<Double> trainLoss, List<Double> validationLoss, Path bundleDir) {
        byte[] onnx = fitted.toOnnx();
        String architecture = config.variant().name().toLowerCase() + config.hiddenLayers() + "->" + config.latentDim();
        int bestEpoch = argMin(validationLoss);
        Provenance provenance = new Provenance(data.source(), data.dataSha256(), data.rows().length,
                trainLoss.size(), config.seed(), trainLoss.get(trainLoss.size() - 1), validationLoss.get(bestEpoch),
                config.asProvenance(), libraryVersions());
        ModelManifest draft = new ModelManifest(BundleContract.FORMAT_VERSION, config.modelId(), config.modelVersion(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), architecture, data.featureNames(),
                data.windowLength(), data.inputWidth(), data.inputShape(), fitted.latentDim(), fitted.normalisation(),
                new Thresholds(0, 0, config.warningQuantile(), config.criticalQuantile()), null, provenance);
        ModelBundle provisional = ModelBundle.write(bundleDir, draft, onnx);
        ScoreBatch validated = scoreWithOnnxRuntime(provisional, validation);
        if (config.latentDistanceWeight() > 0) {
            onnx = fitted.toOnnx(latentDistance(validated, config.latentDistanceWeight()));
            provisional = ModelBundle.write(bundleDir, draft, onnx);
            validated = scoreWithOnnxRuntime(provisional, validation);
        }
        return calibrated(draft, onnx, validated, config, bundleDir);
    }

    /** Writes the bundle with thresholds at the configured quantiles of the validation rows' scores, and loads it. */
    private static ModelBundle calibrated(ModelManifest draft, byte[] onnx, ScoreBatch validated, TrainingConfig config,
                                          Path bundleDir) {
        double[] scores = new double[validated.rows()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = validated.score(i);
        }
        Thresholds thresholds = Thresholds.calibrate(scores, config.warningQuantile(), config.criticalQuantile());
        LOG.info("calibrated model={} version={} warning={} critical={} validation_rows={}", config.modelId(),
                config.modelVersion(), thresholds.warning(), thresholds.critical(), scores.length);
        ModelBundle.write(bundleDir, draft.withThresholds(thresholds), onnx);
        return ModelBundle.load(bundleDir);
    }

    /**
     * Trains one autoencoder per window length on the last records of each window and writes them as one bundle
     * ({@link EnsembleGraph}): the ensemble's score is the mean of its members' standardised log scores, so a
     * record is judged at several time scales at once (a spike stands out in a short window, a changed shape in a
     * long one). Every member uses {@code config} but its seed ({@link #MEMBER_SEED_STRIDE}); all share one validation
     * split (from the ensemble's seed), whose rows give each member's log-score statistics and the ensemble's
     * thresholds.
     *
     * @param data windows of the longest length in {@code windows}
     * @param windows distinct window lengths, at least two, the longest equal to {@code data}'s
     * @return the bundle, with the losses of the member of the longest window
     */
    public static TrainingResult trainEnsemble(TrainingData data, TrainingConfig config, List<Integer> windows,
                                               Path bundleDir) {
        List<Integer> lengths = List.copyOf(windows);
        if (lengths.size() < 2 || lengths.stream().distinct().count() != lengths.size() || data.isImage()
                || lengths.stream().anyMatch(w -> w < 1 || w > data.windowLength())
                || lengths.stream().noneMatch(w -> w == data.windowLength())) {
            throw new IllegalArgumentException("an ensemble needs at least two distinct window lengths in [1, "
                    + data.windowLength() + "], one of them the data's " + data.windowLength() + ": " + lengths
                    + (data.isImage() ? " (images have no windows)" : ""));
        }
        // one split for every member: Split draws rows by index, so the same seed over as many rows picks the
        // same windows whatever their length
        Split split = Split.of(data.rows(), config.validationFraction(), config.seed());
        List<EnsembleGraph.Member> members = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>(config.asProvenance());
        settings.put(ENSEMBLE_WINDOWS, lengths.toString());
        TrainingResult whole = null;
        int latentDim = 0;
        Normalisation normalisation = null;
        String architecture = null;
        try (ScratchDirectory scratch = ScratchDirectory.temporary("latentwatch-ensemble-")) {
            for (int k = 0; k < lengths.size(); k++) {
                int w = lengths.get(k);
                TrainingData memberData = data.recentRecords(w);
                int from = data.inputWidth() - memberData.inputWidth();
                Split memberSplit = Split.of(memberData.rows(), config.validationFraction(), config.seed());
                float[][] train = memberSplit.train();
                float[][] validation = memberSplit.validation();
                List<Double> trainLoss = new ArrayList<>();
                List<Double> validationLoss = new ArrayList<>();
                List<Double> epochSeconds = new ArrayList<>();
                // members draw initial weights and batch order of their own: the ensemble gains from their
                // independent errors (on NAB, four seeds: 75.2 mean with own seeds, 74.9 with one seed for all)
                TrainingConfig memberConfig = config.withSeed(config.seed() + MEMBER_SEED_STRIDE * k);
                if (config.checkpointDir() != null) { // one checkpoint per member, so each resumes its own training
                    memberConfig = memberConfig.withCheckpointDir(config.checkpointDir().resolve("member-" + k));
                }
                try (FittedAutoencoder fitted = fit(train, validation, memberData.inputShape(), memberConfig,
                        trainLoss, validationLoss, epochSeconds)) {
                    ModelBundle member = export(fitted, memberData, memberConfig, validation, trainLoss,
                            validationLoss, scratch.path().resolve("member-" + k));
                    double[] stats = logScoreStatistics(scoreWithOnnxRuntime(member, validation));
                    members.add(new EnsembleGraph.Member(member.onnxModel(), from, memberData.inputWidth(), stats[0],
                            stats[1]));
                    latentDim += fitted.latentDim();
                    settings.put("ensembleMember" + k, String.format(Locale.ROOT,
                            "window=%d seed=%d epochs=%d logScoreMean=%.6g logScoreStd=%.6g", w, memberConfig.seed(),
                            trainLoss.size(), stats[0], stats[1]));
                    if (w == data.windowLength()) {
                        whole = new TrainingResult(member, trainLoss, validationLoss, epochSeconds);
                        normalisation = fitted.normalisation();
                        architecture = member.manifest().architecture();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] onnx = EnsembleGraph.build(config.modelId(), members, data.inputWidth());
        List<Double> trainLoss = whole.trainLoss();
        List<Double> validationLoss = whole.validationLoss();
        Provenance provenance = new Provenance(data.source(), data.dataSha256(), data.rows().length,
                trainLoss.size(), config.seed(), trainLoss.get(trainLoss.size() - 1),
                validationLoss.get(argMin(validationLoss)), settings, libraryVersions());
        ModelManifest draft = new ModelManifest(BundleContract.FORMAT_VERSION, config.modelId(), config.modelVersion(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), "ensemble" + lengths + " of " + architecture,
                data.featureNames(), data.windowLength(), data.inputWidth(), data.inputShape(), latentDim,
                normalisation, new Thresholds(0, 0, config.warningQuantile(), config.criticalQuantile()), null,
                provenance);
        ModelBundle provisional = ModelBundle.write(bundleDir, draft, onnx);
        ModelBundle bundle = calibrated(draft, onnx, scoreWithOnnxRuntime(provisional, split.validation()), config,
                bundleDir);
        return new TrainingResult(bundle, trainLoss, validationLoss, whole.epochSeconds());
    }

    /** The window lengths of an ensemble that {@link #trainEnsemble} wrote into provenance settings; empty for one model. */
    public static List<Integer> ensembleWindows(Map<String, String> provenanceSettings) {
        String v = provenanceSettings.get(ENSEMBLE_WINDOWS);
        if (v == null) {
            return List.of();
        }
        try {
            return Arrays.stream(v.replace("[", "").replace("]", "").split(",")).map(String::trim)
                    .map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("provenance setting " + ENSEMBLE_WINDOWS + " is not a list of window "
                    + "lengths: " + v, e);
        }
    }

    /** Mean and standard deviation (at least 1e-3) of the log scores (floored as the ensemble graph does) of scored rows. */
    static double[] logScoreStatistics(ScoreBatch scored) {
        int n = scored.rows();
        double sum = 0;
        double sumSquares = 0;
        for (int i = 0; i < n; i++) {
            double x = Math.log(Math.max(scored.score(i), EnsembleGraph.MIN_SCORE)); // as the graph floors it
            sum += x;
            sumSquares += x * x;
        }
        double mean = sum / n;
        return new double[] {mean, Math.max(Math.sqrt(Math.max(0, sumSquares / n - mean * mean)), 1e-3)};
    }

    private static ScoreBatch scoreWithOnnxRuntime(ModelBundle bundle, float[][] rows) {
        try (OnnxScorer scorer = OnnxScorer.open(bundle, ScorerOptions.defaults())) {
            return scorer.score(rows);
        }
    }

    /**
     * The latent-distance term of the score ({@link TrainingConfig#latentDistanceWeight()}): mean and standard deviation
     * of each code dimension over the validation rows, and the weight scaled by their median reconstruction score so
     * that the two terms are comparable whatever the data's units.
     */
    static AutoencoderGraph.LatentDistance latentDistance(ScoreBatch validated, double weight) {
        int n = validated.rows();
        float[][] codes = new float[n][];
        for (int i = 0; i < n; i++) {
            codes[i] = validated.latent(i);
        }
        CodeStatistics stats = CodeStatistics.of(codes);
        float[] mean = new float[stats.mean().length];
        float[] scale = new float[mean.length];
        for (int j = 0; j < mean.length; j++) {
            mean[j] = (float) stats.mean()[j];
            scale[j] = (float) Math.sqrt(Math.max(stats.variance()[j], CodeStatistics.MIN_VARIANCE));
        }
        double[] sorted = new double[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = validated.score(i);
        }
        Arrays.sort(sorted);
        double median = Math.max(Thresholds.quantile(sorted, 0.5), 1e-12);
        return new AutoencoderGraph.LatentDistance(mean, scale, (float) (weight * median));
    }

    private static int argMin(List<Double> values) {
        int best = 0;
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) < values.get(best)) {
                best = i;
            }
        }
        return best;
    }

    static Map<String, String> libraryVersions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("java", System.getProperty("java.version"));
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", Engine.getEngine("PyTorch").getVersion());
        v.put("onnxruntime", OrtEnvironment.getEnvironment().getVersion());
        v.put("onnx_opset", Integer.toString(AutoencoderGraph.OPSET));
        v.put("training_denormals", DenormalFlush.status());
        v.put("training_adam", FusedAdam.status());
        return v;
    }

    /** A seeded random split into training and validation rows. */
    record Split(float[][] train, float[][] validation) {
        static Split of(float[][] rows, double validationFraction, long seed) {
            int[] order = new int[rows.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            shuffle(order, new Random(seed ^ 0x5DEECE66DL));
            int nVal = Math.max(1, (int) Math.round(rows.length * validationFraction));
            if (nVal >= rows.length) {
                throw new IllegalArgumentException("only " + rows.length + " rows: too few to hold out validation rows");
            }
            float[][] val = new float[nVal][];
            float[][] train = new float[rows.length - nVal][];
            for (int i = 0; i < order.length; i++) {
                if (i < nVal) {
                    val[i] = rows[order[i]];
                } else {
                    train[i - nVal] = rows[order[i]];
                }
            }
            return new Split(train, val);
        }
    }
}
