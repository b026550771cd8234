package io.latentwatch.trainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of a dense autoencoder training run. The encoder has {@code hiddenLayers} then {@code latentDim}
 * units; the decoder mirrors it. Hidden layers use ReLU; the latent code is linear.
 *
 * @param modelId name of the model
 * @param modelVersion version written to the bundle
 * @param hiddenLayers encoder hidden layer widths, outermost first
 * @param latentDim width of the code
 * @param outputActivation activation of the reconstruction (identity for standardised data)
 * @param epochs maximum epochs
 * @param batchSize mini-batch size
 * @param learningRate Adam learning rate
 * @param validationFraction share of rows held out for early stopping and threshold calibration
 * @param patience epochs without validation improvement before stopping
 * @param seed seed for initialisation, shuffling and the validation split
 * @param warningQuantile quantile of validation scores for the warning threshold
 * @param criticalQuantile quantile of validation scores for the critical threshold
 * @param progress print a progress bar to standard error
 */
public record TrainingConfig(String modelId, String modelVersion, List<Integer> hiddenLayers, int latentDim,
                             OutputActivation outputActivation, int epochs, int batchSize, double learningRate,
                             double validationFraction, int patience, long seed, double warningQuantile,
                             double criticalQuantile, boolean progress) {

    /** Activation applied to the decoder's last layer. */
    public enum OutputActivation { IDENTITY, SIGMOID }

    public TrainingConfig {
        hiddenLayers = List.copyOf(hiddenLayers);
        require(modelId != null && !modelId.isBlank(), "modelId must not be blank");
        require(modelVersion != null && !modelVersion.isBlank(), "modelVersion must not be blank");
        require(hiddenLayers.stream().allMatch(w -> w > 0), "hidden layer widths must be positive: " + hiddenLayers);
        require(latentDim > 0, "latentDim must be positive: " + latentDim);
        require(epochs > 0, "epochs must be positive: " + epochs);
        require(batchSize > 0, "batchSize must be positive: " + batchSize);
        require(learningRate > 0, "learningRate must be positive: " + learningRate);
        require(validationFraction > 0 && validationFraction < 1, "validationFraction must lie in (0, 1): " + validationFraction);
        require(patience > 0, "patience must be positive: " + patience);
        require(warningQuantile > 0 && warningQuantile < 1 && criticalQuantile > 0 && criticalQuantile < 1
                && warningQuantile <= criticalQuantile, "quantiles must satisfy 0 < warning <= critical < 1");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults: hidden [64, 32], latent 8, Adam 1e-3, batch 64, 50 epochs, patience 5, p99 / p99.9. */
    public static TrainingConfig defaults() {
        return new TrainingConfig("model", "1", List.of(64, 32), 8, OutputActivation.IDENTITY, 50, 64, 1e-3,
                0.2, 5, 42, 0.99, 0.999, false);
    }

    public TrainingConfig withModelId(String id) {
        return new TrainingConfig(id, modelVersion, hiddenLayers, latentDim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withModelVersion(String version) {
        return new TrainingConfig(modelId, version, hiddenLayers, latentDim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withHiddenLayers(List<Integer> layers) {
        return new TrainingConfig(modelId, modelVersion, layers, latentDim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withLatentDim(int dim) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, dim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withOutputActivation(OutputActivation activation) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, activation, epochs, batchSize,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, outputActivation, e, batchSize,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withBatchSize(int b) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, outputActivation, epochs, b,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withLearningRate(double lr) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, outputActivation, epochs, batchSize,
                lr, validationFraction, patience, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withPatience(int p) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, p, seed, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, patience, s, warningQuantile, criticalQuantile, progress);
    }

    public TrainingConfig withQuantiles(double warning, double critical) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, patience, seed, warning, critical, progress);
    }

    public TrainingConfig withProgress(boolean show) {
        return new TrainingConfig(modelId, modelVersion, hiddenLayers, latentDim, outputActivation, epochs, batchSize,
                learningRate, validationFraction, patience, seed, warningQuantile, criticalQuantile, show);
    }

    /** The settings as provenance entries. */
    public Map<String, String> asProvenance() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("architecture", "dense");
        m.put("hiddenLayers", hiddenLayers.toString());
        m.put("latentDim", Integer.toString(latentDim));
        m.put("outputActivation", outputActivation.name().toLowerCase());
        m.put("optimizer", "adam");
        m.put("loss", "mse");
        m.put("learningRate", Double.toString(learningRate));
        m.put("batchSize", Integer.toString(batchSize));
        m.put("maxEpochs", Integer.toString(epochs));
        m.put("patience", Integer.toString(patience));
        m.put("validationFraction", Double.toString(validationFraction));
        m.put("warningQuantile", Double.toString(warningQuantile));
        m.put("criticalQuantile", Double.toString(criticalQuantile));
        return m;
    }
}
