package io.latentwatch.trainer;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.L2Loss;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.onnxruntime.OrtEnvironment;
import io.latentwatch.core.bundle.BundleContract;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.bundle.Normalisation;
import io.latentwatch.core.bundle.Provenance;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.trainer.internal.ProgressBar;
import io.latentwatch.trainer.onnx.AutoencoderGraph;
import io.latentwatch.trainer.onnx.DenseLayer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a dense autoencoder with DJL (PyTorch engine) on normal data, calibrates thresholds on held-out
 * rows, and writes a model bundle whose ONNX graph does all serving maths.
 *
 * <p>The same seed on the same data gives the same model (with one intra-op thread): initialisation,
 * shuffling and the validation split all draw from it.
 */
public final class AutoencoderTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderTrainer.class);

    private AutoencoderTrainer() {}

    /** Trains, exports and verifies: the returned bundle was loaded back from {@code bundleDir}. */
    public static TrainingResult train(TrainingData data, TrainingConfig config, Path bundleDir) {
        Split split = Split.of(data.rows(), config.validationFraction(), config.seed());
        List<Double> trainLoss = new ArrayList<>();
        List<Double> validationLoss = new ArrayList<>();
        try (FittedAutoencoder fitted = fit(split.train(), split.validation(), config, trainLoss, validationLoss)) {
            ModelBundle bundle = export(fitted, data, config, split.validation(), trainLoss, validationLoss, bundleDir);
            return new TrainingResult(bundle, trainLoss, validationLoss);
        }
    }

    /**
     * Fits the network, keeping the weights of the epoch with the lowest validation loss. Losses per epoch
     * are appended to the given lists. The caller closes the result.
     */
    public static FittedAutoencoder fit(float[][] train, float[][] validation, TrainingConfig config,
                                        List<Double> trainLoss, List<Double> validationLoss) {
        if (train.length == 0 || validation.length == 0) {
            throw new IllegalArgumentException("need training and validation rows, got " + train.length
                    + " and " + validation.length);
        }
        int width = train[0].length;
        Normalisation normalisation = Normalisation.fit(train);
        float[][] trainN = normalisation.apply(train);
        float[][] validN = normalisation.apply(validation);

        Engine.getInstance().setRandomSeed((int) config.seed());
        List<Linear> encLinears = new ArrayList<>();
        List<Linear> decLinears = new ArrayList<>();
        List<DenseLayer.Activation> encActs = new ArrayList<>();
        List<DenseLayer.Activation> decActs = new ArrayList<>();
        SequentialBlock encoder = new SequentialBlock();
        List<Integer> encWidths = new ArrayList<>(config.hiddenLayers());
        encWidths.add(config.latentDim());
        for (int i = 0; i < encWidths.size(); i++) {
            boolean last = i == encWidths.size() - 1;
            Linear l = Linear.builder().setUnits(encWidths.get(i)).build();
            encoder.add(l);
            encLinears.add(l);
            if (!last) {
                encoder.add(Activation.reluBlock());
            }
            encActs.add(last ? DenseLayer.Activation.IDENTITY : DenseLayer.Activation.RELU);
        }
        SequentialBlock decoder = new SequentialBlock();
        List<Integer> decWidths = new ArrayList<>(config.hiddenLayers());
        java.util.Collections.reverse(decWidths);
        decWidths.add(width);
        for (int i = 0; i < decWidths.size(); i++) {
            boolean last = i == decWidths.size() - 1;
            Linear l = Linear.builder().setUnits(decWidths.get(i)).build();
            decoder.add(l);
            decLinears.add(l);
            DenseLayer.Activation act = !last ? DenseLayer.Activation.RELU
                    : config.outputActivation() == TrainingConfig.OutputActivation.SIGMOID
                    ? DenseLayer.Activation.SIGMOID : DenseLayer.Activation.IDENTITY;
            if (act == DenseLayer.Activation.RELU) {
                decoder.add(Activation.reluBlock());
            } else if (act == DenseLayer.Activation.SIGMOID) {
                decoder.add(Activation.sigmoidBlock());
            }
            decActs.add(act);
        }
        SequentialBlock net = new SequentialBlock().add(encoder).add(decoder);

        Model model = Model.newInstance(config.modelId(), "PyTorch");
        model.setBlock(net);
        FittedAutoencoder fitted = new FittedAutoencoder(model, encoder, decoder, encLinears, decLinears, encActs,
                decActs, normalisation);
        Loss mse = new L2Loss("mse", 1f); // weight 1: plain mean squared error (DJL's default halves it)
        DefaultTrainingConfig tc = new DefaultTrainingConfig(mse)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) config.learningRate())).build());
        ProgressBar bar = config.progress() ? new ProgressBar(System.err, config.epochs()) : null;
        try (Trainer trainer = model.newTrainer(tc)) {
            trainer.initialize(new Shape(config.batchSize(), width));
            Random random = new Random(config.seed());
            int[] order = new int[trainN.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            double best = Double.POSITIVE_INFINITY;
            List<DenseLayer> bestEnc = fitted.encoderLayers();
            List<DenseLayer> bestDec = fitted.decoderLayers();
            int sinceBest = 0;
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                shuffle(order, random);
                long start = System.nanoTime();
                double lossSum = 0;
                int done = 0;
                for (int from = 0; from < order.length; from += config.batchSize()) {
                    int b = Math.min(config.batchSize(), order.length - from);
                    float[] flat = new float[b * width];
                    for (int i = 0; i < b; i++) {
                        System.arraycopy(trainN[order[from + i]], 0, flat, i * width, width);
                    }
                    try (NDManager batch = trainer.getManager().newSubManager()) {
                        NDArray x = batch.create(flat, new Shape(b, width));
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                            NDArray loss = mse.evaluate(new NDList(x), new NDList(pred));
                            gc.backward(loss);
                            lossSum += loss.getFloat() * b;
                        }
                        trainer.step();
                    }
                    done += b;
                    if (bar != null) {
                        bar.step(epoch, done, order.length, lossSum / done, done / seconds(start));
                    }
                }
                double epochLoss = lossSum / order.length;
                double valLoss = meanSquaredError(trainer, validN, width);
                trainLoss.add(epochLoss);
                validationLoss.add(valLoss);
                if (bar != null) {
                    bar.endEpoch(epoch, order.length, epochLoss, valLoss, order.length / seconds(start));
                }
                if (valLoss < best - 1e-7) {
                    best = valLoss;
                    bestEnc = fitted.encoderLayers();
                    bestDec = fitted.decoderLayers();
                    sinceBest = 0;
                } else if (++sinceBest >= config.patience()) {
                    LOG.info("early stop epoch={} best_val_loss={}", epoch, best);
                    break;
                }
            }
            fitted.restore(bestEnc, bestDec);
        } catch (RuntimeException e) {
            fitted.close();
            throw e;
        }
        return fitted;
    }

    private static double seconds(long startNanos) {
        return Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    }

    private static double meanSquaredError(Trainer trainer, float[][] rowsN, int width) {
        double sum = 0;
        for (int from = 0; from < rowsN.length; from += 1024) {
            int b = Math.min(1024, rowsN.length - from);
            float[] flat = new float[b * width];
            for (int i = 0; i < b; i++) {
                System.arraycopy(rowsN[from + i], 0, flat, i * width, width);
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray x = batch.create(flat, new Shape(b, width));
                NDArray pred = trainer.evaluate(new NDList(x)).singletonOrThrow();
                sum += pred.sub(x).square().sum().getFloat();
            }
        }
        return sum / ((double) rowsN.length * width);
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
        List<DenseLayer> enc = fitted.encoderLayers();
        List<DenseLayer> dec = fitted.decoderLayers();
        byte[] onnx = AutoencoderGraph.build(config.modelId(), enc, dec, fitted.normalisation());
        String architecture = "dense" + config.hiddenLayers() + "->" + config.latentDim();
        int bestEpoch = argMin(validationLoss);
        Provenance provenance = new Provenance(data.source(), data.dataSha256(), data.rows().length,
                trainLoss.size(), config.seed(), trainLoss.get(trainLoss.size() - 1), validationLoss.get(bestEpoch),
                config.asProvenance(), libraryVersions());
        ModelManifest draft = new ModelManifest(BundleContract.FORMAT_VERSION, config.modelId(), config.modelVersion(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), architecture, data.featureNames(),
                data.windowLength(), data.inputWidth(), data.inputShape(), fitted.latentDim(), fitted.normalisation(),
                new Thresholds(0, 0, config.warningQuantile(), config.criticalQuantile()), null, provenance);
        ModelBundle provisional = ModelBundle.write(bundleDir, draft, onnx);
        double[] scores = new double[validation.length];
        try (OnnxScorer scorer = OnnxScorer.open(provisional, ScorerOptions.defaults())) {
            ScoreBatch batch = scorer.score(validation);
            for (int i = 0; i < scores.length; i++) {
                scores[i] = batch.score(i);
            }
        }
        Thresholds thresholds = Thresholds.calibrate(scores, config.warningQuantile(), config.criticalQuantile());
        LOG.info("calibrated model={} version={} warning={} critical={} validation_rows={}", config.modelId(),
                config.modelVersion(), thresholds.warning(), thresholds.critical(), validation.length);
        ModelBundle.write(bundleDir, draft.withThresholds(thresholds), onnx);
        return ModelBundle.load(bundleDir);
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
