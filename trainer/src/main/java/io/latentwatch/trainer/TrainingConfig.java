package io.latentwatch.trainer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of an autoencoder training run.
 *
 * <p>For the dense variants the encoder has {@code hiddenLayers} then {@code latentDim} units and the
 * decoder mirrors it; hidden layers use ReLU and the code is linear. For {@link Variant#CONV},
 * {@code hiddenLayers} are the channel counts of the 3x3 Conv2d + ReLU + 2x2 MaxPool stages, followed by a
 * dense bottleneck of {@code latentDim}; the decoder mirrors it with nearest-neighbour upsampling + Conv2d.
 *
 * @param modelId name of the model
 * @param modelVersion version written to the bundle
 * @param variant the autoencoder family
 * @param hiddenLayers encoder hidden layer widths (dense) or channel counts (conv), outermost first
 * @param latentDim width of the code
 * @param outputActivation activation of the reconstruction (identity for standardised data, Sigmoid for [0, 1])
 * @param scaling how inputs are normalised inside the graph
 * @param loss reconstruction loss
 * @param optimizer Adam or plain SGD
 * @param epochs maximum epochs
 * @param batchSize mini-batch size
 * @param learningRate learning rate
 * @param validationFraction share of rows held out for early stopping and threshold calibration
 * @param patience epochs without validation improvement before stopping
 * @param seed seed for initialisation, shuffling, noise, sampling and the validation split
 * @param warningQuantile quantile of validation scores for the warning threshold
 * @param criticalQuantile quantile of validation scores for the critical threshold
 * @param progress print a progress bar to standard error
 * @param noise input corruption at training time (denoising)
 * @param sparsity penalty on the code (sparse)
 * @param variational settings of the VAE (used only by {@link Variant#VAE})
 * @param checkpointDir where to write a checkpoint after every epoch and resume from, or null
 * @param latentDistanceWeight 0 for a score of reconstruction error alone; above 0, the exported score adds this
 *     times the median validation error times the code's mean squared standardised distance from the validation
 *     rows' codes, so a row whose code lies far out (a shifted level, which a narrow code reconstructs well) scores
 *     high too; 1 weighs both terms alike on a typical normal row
 */
public record TrainingConfig(String modelId, String modelVersion, Variant variant, List<Integer> hiddenLayers,
                             int latentDim, OutputActivation outputActivation, Scaling scaling, LossFunction loss,
                             OptimizerKind optimizer, int epochs, int batchSize, double learningRate,
                             double validationFraction, int patience, long seed, double warningQuantile,
                             double criticalQuantile, boolean progress, Noise noise, Sparsity sparsity,
                             Variational variational, Path checkpointDir, double latentDistanceWeight) {

    /** The autoencoder families of the design notes. */
    public enum Variant {
        /** Fully connected encoder and mirrored decoder. */
        DENSE,
        /** Conv2d + MaxPool encoder, upsample + Conv2d decoder; needs image data {@code [C, H, W]}. */
        CONV,
        /** Dense, trained on corrupted inputs to reconstruct the clean ones. */
        DENOISING,
        /** Dense with an L1 or KL sparsity penalty on the code. */
        SPARSE,
        /** Variational: Gaussian code with the reparameterisation trick, loss reconstruction + beta KL. */
        VAE
    }

    /** Activation applied to the decoder's last layer. */
    public enum OutputActivation { IDENTITY, SIGMOID }

    /** How the graph normalises raw inputs before the network sees them. */
    public enum Scaling {
        /** (x - mean) / standard deviation per element. */
        STANDARD,
        /** (x - min) / (max - min) per element, onto [0, 1]. */
        MIN_MAX,
        /** (x - median) / interquartile range per element: robust to the outliers in the data it is fitted on. */
        ROBUST,
        /** x / 255 for 8-bit pixels, onto [0, 1]. */
        PIXELS
    }

    /** Reconstruction loss. */
    public enum LossFunction {
        /** Mean squared error per element. */
        MSE,
        /** Binary cross-entropy per element; needs targets in [0, 1] and a Sigmoid output. */
        BCE
    }

    /** Optimiser. */
    public enum OptimizerKind { ADAM, SGD }

    /** Input corruption applied to training batches only; the target stays the clean input. */
    public record Noise(Kind kind, double level) {
        /** NONE; GAUSSIAN adds level * N(0, 1) (normalised units); MASKING zeroes each element with probability level. */
        public enum Kind { NONE, GAUSSIAN, MASKING }

        public Noise {
            require(kind != null, "noise kind must be set");
            require(level >= 0 && Double.isFinite(level), "noise level must be a finite number >= 0: " + level);
            require(kind != Kind.MASKING || level < 1, "masking probability must be below 1: " + level);
        }

        public static Noise none() {
            return new Noise(Kind.NONE, 0);
        }
    }

    /**
     * Penalty on the code z: L1 adds {@code weight * mean_batch(sum_j |z_j|)}; KL adds
     * {@code weight * sum_j KL(target || rhoHat_j)} with {@code rhoHat_j = mean_batch(sigmoid(z_j))}.
     */
    public record Sparsity(Kind kind, double weight, double target) {
        /** NONE, L1 or KL. */
        public enum Kind { NONE, L1, KL }

        /** The notes' target activation. */
        public static final double DEFAULT_TARGET = 0.05;

        public Sparsity {
            require(kind != null, "sparsity kind must be set");
            require(weight >= 0 && Double.isFinite(weight), "sparsity weight must be a finite number >= 0: " + weight);
            require(target > 0 && target < 1, "sparsity target rho must lie in (0, 1): " + target);
        }

        public static Sparsity none() {
            return new Sparsity(Kind.NONE, 0, DEFAULT_TARGET);
        }
    }

    /**
     * VAE settings: loss {@code reconstruction + beta * KL / inputWidth} (the KL of the whole code, divided by
     * the input width so beta weighs it against the per-element reconstruction error).
     */
    public record Variational(double beta, VaeScore score) {
        /** What the graph's {@code score} output is for a VAE. */
        public enum VaeScore {
            /** Mean squared reconstruction error of the mean code, like every other variant. */
            RECONSTRUCTION,
            /** Reconstruction error + beta * KL / inputWidth at the mean code (a negative ELBO up to constants). */
            NEGATIVE_ELBO
        }

        public Variational {
            require(beta >= 0 && Double.isFinite(beta), "VAE beta must be a finite number >= 0: " + beta);
            require(score != null, "VAE score must be set");
        }

        public static Variational defaults() {
            return new Variational(1.0, VaeScore.RECONSTRUCTION);
        }
    }

    public TrainingConfig {
        hiddenLayers = List.copyOf(hiddenLayers);
        require(modelId != null && !modelId.isBlank(), "modelId must not be blank");
        require(modelVersion != null && !modelVersion.isBlank(), "modelVersion must not be blank");
        require(variant != null && scaling != null && loss != null && optimizer != null && outputActivation != null
                && noise != null && sparsity != null && variational != null, "no setting may be null");
        require(hiddenLayers.stream().allMatch(w -> w > 0), "hidden layer widths must be positive: " + hiddenLayers);
        require(variant != Variant.CONV || !hiddenLayers.isEmpty(), "the conv variant needs at least one channel count");
        require(latentDim > 0, "latentDim must be positive: " + latentDim);
        require(epochs > 0, "epochs must be positive: " + epochs);
        require(batchSize > 0, "batchSize must be positive: " + batchSize);
        require(learningRate > 0, "learningRate must be positive: " + learningRate);
        require(validationFraction > 0 && validationFraction < 1, "validationFraction must lie in (0, 1): " + validationFraction);
        require(patience > 0, "patience must be positive: " + patience);
        require(warningQuantile > 0 && warningQuantile < 1 && criticalQuantile > 0 && criticalQuantile < 1
                && warningQuantile <= criticalQuantile, "quantiles must satisfy 0 < warning <= critical < 1");
        require(loss != LossFunction.BCE || (outputActivation == OutputActivation.SIGMOID
                        && (scaling == Scaling.MIN_MAX || scaling == Scaling.PIXELS)),
                "BCE loss needs a Sigmoid output and inputs scaled onto [0, 1] (scaling MIN_MAX or PIXELS)");
        require(variant != Variant.DENOISING || noise.kind() != Noise.Kind.NONE,
                "the denoising variant needs a noise kind (GAUSSIAN or MASKING)");
        require(variant != Variant.SPARSE || sparsity.kind() != Sparsity.Kind.NONE,
                "the sparse variant needs a sparsity kind (L1 or KL)");
        require(latentDistanceWeight >= 0 && Double.isFinite(latentDistanceWeight),
                "latentDistanceWeight must be a finite number >= 0: " + latentDistanceWeight);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults: dense, hidden [64, 32], latent 8, standardised, MSE, Adam 1e-3, batch 64, 50 epochs, patience 5. */
    public static TrainingConfig defaults() {
        return new TrainingConfig("model", "1", Variant.DENSE, List.of(64, 32), 8, OutputActivation.IDENTITY,
                Scaling.STANDARD, LossFunction.MSE, OptimizerKind.ADAM, 50, 64, 1e-3, 0.2, 5, 42, 0.99, 0.999, false,
                Noise.none(), Sparsity.none(), Variational.defaults(), null, 0);
    }

    /**
     * A copy for another variant; switching to DENOISING or SPARSE without noise / sparsity settings picks
     * Gaussian noise 0.1 or an L1 penalty of 1e-3.
     */
    public TrainingConfig withVariant(Variant v) {
        Builder b = toBuilder();
        b.variant = v;
        if (v == Variant.DENOISING && noise.kind() == Noise.Kind.NONE) {
            b.noise = new Noise(Noise.Kind.GAUSSIAN, 0.1);
        }
        if (v == Variant.SPARSE && sparsity.kind() == Sparsity.Kind.NONE) {
            b.sparsity = new Sparsity(Sparsity.Kind.L1, 1e-3, Sparsity.DEFAULT_TARGET);
        }
        return b.build();
    }

    /** A copy with the architecture of a named preset (see {@link Preset}). */
    public TrainingConfig withPreset(Preset preset) {
        Builder b = toBuilder();
        b.hiddenLayers = preset.hiddenLayers();
        b.latentDim = preset.latentDim();
        b.outputActivation = preset.outputActivation();
        return b.build();
    }

    public TrainingConfig withModelId(String v) { Builder b = toBuilder(); b.modelId = v; return b.build(); }
    public TrainingConfig withModelVersion(String v) { Builder b = toBuilder(); b.modelVersion = v; return b.build(); }
    public TrainingConfig withHiddenLayers(List<Integer> v) { Builder b = toBuilder(); b.hiddenLayers = v; return b.build(); }
    public TrainingConfig withLatentDim(int v) { Builder b = toBuilder(); b.latentDim = v; return b.build(); }
    public TrainingConfig withOutputActivation(OutputActivation v) { Builder b = toBuilder(); b.outputActivation = v; return b.build(); }
    public TrainingConfig withScaling(Scaling v) { Builder b = toBuilder(); b.scaling = v; return b.build(); }
    public TrainingConfig withLoss(LossFunction v) { Builder b = toBuilder(); b.loss = v; return b.build(); }
    public TrainingConfig withOptimizer(OptimizerKind v) { Builder b = toBuilder(); b.optimizer = v; return b.build(); }
    public TrainingConfig withEpochs(int v) { Builder b = toBuilder(); b.epochs = v; return b.build(); }
    public TrainingConfig withBatchSize(int v) { Builder b = toBuilder(); b.batchSize = v; return b.build(); }
    public TrainingConfig withLearningRate(double v) { Builder b = toBuilder(); b.learningRate = v; return b.build(); }
    public TrainingConfig withValidationFraction(double v) { Builder b = toBuilder(); b.validationFraction = v; return b.build(); }
    public TrainingConfig withPatience(int v) { Builder b = toBuilder(); b.patience = v; return b.build(); }
    public TrainingConfig withSeed(long v) { Builder b = toBuilder(); b.seed = v; return b.build(); }
    public TrainingConfig withProgress(boolean v) { Builder b = toBuilder(); b.progress = v; return b.build(); }
    public TrainingConfig withNoise(Noise v) { Builder b = toBuilder(); b.noise = v; return b.build(); }
    public TrainingConfig withSparsity(Sparsity v) { Builder b = toBuilder(); b.sparsity = v; return b.build(); }
    public TrainingConfig withVariational(Variational v) { Builder b = toBuilder(); b.variational = v; return b.build(); }
    public TrainingConfig withCheckpointDir(Path v) { Builder b = toBuilder(); b.checkpointDir = v; return b.build(); }
    public TrainingConfig withLatentDistanceWeight(double v) { Builder b = toBuilder(); b.latentDistanceWeight = v; return b.build(); }

    public TrainingConfig withQuantiles(double warning, double critical) {
        Builder b = toBuilder();
        b.warningQuantile = warning;
        b.criticalQuantile = critical;
        return b.build();
    }

    /** Named architectures from the design notes. */
    public enum Preset {
        /** 784-128-64-32, ReLU, Sigmoid output (the notes' MNIST autoencoder). */
        DENSE_128_64_32(List.of(128, 64), 32),
        /** 784-512-256-64, ReLU, Sigmoid output. */
        DENSE_512_256_64(List.of(512, 256), 64);

        private final List<Integer> hidden;
        private final int latent;

        Preset(List<Integer> hidden, int latent) {
            this.hidden = hidden;
            this.latent = latent;
        }

        public List<Integer> hiddenLayers() {
            return hidden;
        }

        public int latentDim() {
            return latent;
        }

        public OutputActivation outputActivation() {
            return OutputActivation.SIGMOID;
        }
    }

    /** The settings as provenance entries. */
    public Map<String, String> asProvenance() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("architecture", variant.name().toLowerCase());
        m.put(variant == Variant.CONV ? "channels" : "hiddenLayers", hiddenLayers.toString());
        m.put("latentDim", Integer.toString(latentDim));
        m.put("outputActivation", outputActivation.name().toLowerCase());
        m.put("scaling", scaling.name().toLowerCase());
        m.put("optimizer", optimizer.name().toLowerCase());
        m.put("loss", loss.name().toLowerCase());
        m.put("learningRate", Double.toString(learningRate));
        m.put("batchSize", Integer.toString(batchSize));
        m.put("maxEpochs", Integer.toString(epochs));
        m.put("patience", Integer.toString(patience));
        m.put("validationFraction", Double.toString(validationFraction));
        m.put("warningQuantile", Double.toString(warningQuantile));
        m.put("criticalQuantile", Double.toString(criticalQuantile));
        if (noise.kind() != Noise.Kind.NONE) {
            m.put("noise", noise.kind().name().toLowerCase() + ":" + noise.level());
        }
        if (sparsity.kind() != Sparsity.Kind.NONE) {
            m.put("sparsity", sparsity.kind().name().toLowerCase() + ":" + sparsity.weight()
                    + (sparsity.kind() == Sparsity.Kind.KL ? ":rho=" + sparsity.target() : ""));
        }
        if (variant == Variant.VAE) {
            m.put("vaeBeta", Double.toString(variational.beta()));
            m.put("vaeScore", variational.score().name().toLowerCase());
        }
        if (latentDistanceWeight > 0) {
            m.put("latentDistanceWeight", Double.toString(latentDistanceWeight));
        }
        return m;
    }

    /**
     * The settings {@link #asProvenance()} wrote, read back onto {@link #defaults()}: how a retrain trains a challenger
     * with its champion's settings. Keys it does not know are ignored; a value it cannot read fails naming the key.
     * Model id, version, seed, progress and checkpoints are not settings of the model and stay at their defaults.
     */
    public static TrainingConfig fromProvenance(Map<String, String> settings) {
        Builder b = defaults().toBuilder();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String v = e.getValue().strip();
            try {
                switch (e.getKey()) {
                    case "architecture" -> b.variant = Variant.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    case "hiddenLayers", "channels" -> b.hiddenLayers = v.equals("[]") ? List.of()
                            : java.util.Arrays.stream(v.substring(1, v.length() - 1).split(","))
                                    .map(x -> Integer.parseInt(x.strip())).toList();
                    case "latentDim" -> b.latentDim = Integer.parseInt(v);
                    case "latentDistanceWeight" -> b.latentDistanceWeight = Double.parseDouble(v);
                    case "outputActivation" -> b.outputActivation = OutputActivation.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    case "scaling" -> b.scaling = Scaling.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    case "optimizer" -> b.optimizer = OptimizerKind.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    case "loss" -> b.loss = LossFunction.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    case "learningRate" -> b.learningRate = Double.parseDouble(v);
                    case "batchSize" -> b.batchSize = Integer.parseInt(v);
                    case "maxEpochs" -> b.epochs = Integer.parseInt(v);
                    case "patience" -> b.patience = Integer.parseInt(v);
                    case "validationFraction" -> b.validationFraction = Double.parseDouble(v);
                    case "warningQuantile" -> b.warningQuantile = Double.parseDouble(v);
                    case "criticalQuantile" -> b.criticalQuantile = Double.parseDouble(v);
                    case "noise" -> {
                        String[] parts = v.split(":");
                        b.noise = new Noise(Noise.Kind.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)), Double.parseDouble(parts[1]));
                    }
                    case "sparsity" -> {
                        String[] parts = v.split(":");
                        double target = parts.length > 2 ? Double.parseDouble(parts[2].substring(parts[2].indexOf('=') + 1))
                                : Sparsity.DEFAULT_TARGET;
                        b.sparsity = new Sparsity(Sparsity.Kind.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)),
                                Double.parseDouble(parts[1]), target);
                    }
                    case "vaeBeta" -> b.variational = new Variational(Double.parseDouble(v), b.variational.score());
                    case "vaeScore" -> b.variational = new Variational(b.variational.beta(),
                            Variational.VaeScore.valueOf(v.toUpperCase(java.util.Locale.ROOT)));
                    default -> { } // library versions and the like: not settings
                }
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("cannot read training setting " + e.getKey() + "=" + v + ": " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.modelId = modelId;
        b.modelVersion = modelVersion;
        b.variant = variant;
        b.hiddenLayers = hiddenLayers;
        b.latentDim = latentDim;
        b.outputActivation = outputActivation;
        b.scaling = scaling;
        b.loss = loss;
        b.optimizer = optimizer;
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.learningRate = learningRate;
        b.validationFraction = validationFraction;
        b.patience = patience;
        b.seed = seed;
        b.warningQuantile = warningQuantile;
        b.criticalQuantile = criticalQuantile;
        b.progress = progress;
        b.noise = noise;
        b.sparsity = sparsity;
        b.variational = variational;
        b.checkpointDir = checkpointDir;
        b.latentDistanceWeight = latentDistanceWeight;
        return b;
    }

    /** Mutable scratch copy behind the withers (keeps each wither one line). */
    private static final class Builder {
        String modelId;
        String modelVersion;
        Variant variant;
        List<Integer> hiddenLayers;
        int latentDim;
        OutputActivation outputActivation;
        Scaling scaling;
        LossFunction loss;
        OptimizerKind optimizer;
        int epochs;
        int batchSize;
        double learningRate;
        double validationFraction;
        int patience;
        long seed;
        double warningQuantile;
        double criticalQuantile;
        boolean progress;
        Noise noise;
        Sparsity sparsity;
        Variational variational;
        Path checkpointDir;
        double latentDistanceWeight;

        TrainingConfig build() {
            return new TrainingConfig(modelId, modelVersion, variant, hiddenLayers, latentDim, outputActivation, scaling,
                    loss, optimizer, epochs, batchSize, learningRate, validationFraction, patience, seed,
                    warningQuantile, criticalQuantile, progress, noise, sparsity, variational, checkpointDir,
                    latentDistanceWeight);
        }
    }
}
