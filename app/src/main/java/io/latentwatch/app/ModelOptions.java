package io.latentwatch.app;

import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingConfig.Noise;
import io.latentwatch.trainer.TrainingConfig.Sparsity;
import io.latentwatch.trainer.TrainingConfig.Variational;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Model and training options shared by {@code train} and {@code evaluate}. Unset options keep the value of
 * the command's base configuration, so each command keeps its own defaults.
 */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "VARIANT",
            description = "Autoencoder family: ${COMPLETION-CANDIDATES} (default: dense).")
    TrainingConfig.Variant variant;
    @Option(names = "--preset", paramLabel = "NAME",
            description = "Named dense shape from the design notes: ${COMPLETION-CANDIDATES} (784-128-64-32 / 784-512-256-64, Sigmoid output).")
    TrainingConfig.Preset preset;
    @Option(names = "--hidden", split = ",", paramLabel = "N", description = "Encoder hidden widths (dense) or channel counts (conv), e.g. 64,32.")
    List<Integer> hidden;
    @Option(names = "--latent", paramLabel = "N", description = "Latent width.")
    Integer latent;
    @Option(names = "--output", paramLabel = "ACT", description = "Output activation: ${COMPLETION-CANDIDATES}.")
    TrainingConfig.OutputActivation output;
    @Option(names = "--scaling", paramLabel = "KIND", description = "Input scaling in the graph: ${COMPLETION-CANDIDATES}.")
    TrainingConfig.Scaling scaling;
    @Option(names = "--loss", paramLabel = "KIND", description = "Reconstruction loss: ${COMPLETION-CANDIDATES} (BCE needs a Sigmoid output and MIN_MAX or PIXELS scaling).")
    TrainingConfig.LossFunction loss;
    @Option(names = "--optimizer", paramLabel = "KIND", description = "${COMPLETION-CANDIDATES}.")
    TrainingConfig.OptimizerKind optimizer;
    @Option(names = "--epochs", paramLabel = "N", description = "Maximum epochs.")
    Integer epochs;
    @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size.")
    Integer batchSize;
    @Option(names = "--lr", paramLabel = "X", description = "Learning rate.")
    Double learningRate;
    @Option(names = "--patience", paramLabel = "N", description = "Early-stopping patience in epochs.")
    Integer patience;
    @Option(names = "--seed", paramLabel = "N", description = "Random seed.")
    Long seed;
    @Option(names = "--noise", paramLabel = "KIND", description = "Input noise at training time: ${COMPLETION-CANDIDATES}.")
    Noise.Kind noise;
    @Option(names = "--noise-level", paramLabel = "X", defaultValue = "0.1",
            description = "Gaussian sigma (normalised units) or masking probability (default: ${DEFAULT-VALUE}).")
    double noiseLevel;
    @Option(names = "--sparsity", paramLabel = "KIND", description = "Sparsity penalty on the code: ${COMPLETION-CANDIDATES}.")
    Sparsity.Kind sparsity;
    @Option(names = "--sparsity-weight", paramLabel = "X", defaultValue = "0.001",
            description = "L1 lambda or KL beta (default: ${DEFAULT-VALUE}).")
    double sparsityWeight;
    @Option(names = "--sparsity-target", paramLabel = "RHO", defaultValue = "0.05",
            description = "KL target activation rho (default: ${DEFAULT-VALUE}).")
    double sparsityTarget;
    @Option(names = "--vae-beta", paramLabel = "X", defaultValue = "1.0", description = "VAE KL weight (default: ${DEFAULT-VALUE}).")
    double vaeBeta;
    @Option(names = "--vae-score", paramLabel = "KIND", defaultValue = "RECONSTRUCTION",
            description = "VAE score: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Variational.VaeScore vaeScore;
    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Save a checkpoint every epoch and resume from it.")
    Path checkpointDir;
    @Option(names = "--latent-distance-weight", paramLabel = "X",
            description = "Add X times the code's standardised distance from normal rows' codes to the exported score "
                    + "(scaled by the median validation error; 0: reconstruction error alone, the default). Finds rows "
                    + "the decoder reconstructs well that lie far out, such as a shifted level.")
    Double latentDistanceWeight;

    /** The base configuration with every option that was given applied. */
    TrainingConfig apply(TrainingConfig base, boolean imageData) {
        TrainingConfig c = base;
        if (imageData) { // pixels onto [0, 1] for a Sigmoid output, unless told otherwise below
            c = c.withScaling(TrainingConfig.Scaling.PIXELS).withOutputActivation(TrainingConfig.OutputActivation.SIGMOID);
        }
        if (preset != null) {
            c = c.withPreset(preset);
        }
        if (noise != null) {
            c = c.withNoise(new Noise(noise, noiseLevel));
        }
        if (sparsity != null) {
            c = c.withSparsity(new Sparsity(sparsity, sparsityWeight, sparsityTarget));
        }
        c = c.withVariational(new Variational(vaeBeta, vaeScore));
        if (variant == TrainingConfig.Variant.CONV && hidden == null && base.variant() != TrainingConfig.Variant.CONV) {
            c = c.withHiddenLayers(List.of(16, 32)); // two pooling stages fit 28x28; 64x64 takes --hidden 32,64,128
        }
        if (variant != null) {
            c = c.withVariant(variant);
        }
        if (hidden != null) {
            c = c.withHiddenLayers(hidden);
        }
        if (latent != null) {
            c = c.withLatentDim(latent);
        }
        if (output != null) {
            c = c.withOutputActivation(output);
        }
        if (scaling != null) {
            c = c.withScaling(scaling);
        }
        if (loss != null) {
            c = c.withLoss(loss);
        }
        if (optimizer != null) {
            c = c.withOptimizer(optimizer);
        }
        if (epochs != null) {
            c = c.withEpochs(epochs);
        }
        if (batchSize != null) {
            c = c.withBatchSize(batchSize);
        }
        if (learningRate != null) {
            c = c.withLearningRate(learningRate);
        }
        if (patience != null) {
            c = c.withPatience(patience);
        }
        if (seed != null) {
            c = c.withSeed(seed);
        }
        if (checkpointDir != null) {
            c = c.withCheckpointDir(checkpointDir);
        }
        if (latentDistanceWeight != null) {
            c = c.withLatentDistanceWeight(latentDistanceWeight);
        }
        if (loss == null && c.variant() == TrainingConfig.Variant.CONV && imageData
                && c.outputActivation() == TrainingConfig.OutputActivation.SIGMOID
                && (c.scaling() == TrainingConfig.Scaling.MIN_MAX || c.scaling() == TrainingConfig.Scaling.PIXELS)) {
            c = c.withLoss(TrainingConfig.LossFunction.BCE); // the notes' conv autoencoder trains with BCE
        }
        return c;
    }
}
