package io.latentwatch.trainer;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.latentwatch.core.bundle.Normalisation;
import io.latentwatch.trainer.internal.AutoencoderNetwork;
import io.latentwatch.trainer.onnx.AutoencoderGraph;

/**
 * A trained autoencoder still held by DJL, with the normalisation it was trained under. Used to export the
 * ONNX graph and, in tests, to check that ONNX Runtime computes what DJL computes.
 */
public final class FittedAutoencoder implements AutoCloseable {
    private final Model model;
    private final AutoencoderNetwork network;
    private final Normalisation normalisation;
    private final TrainingConfig config;

    FittedAutoencoder(Model model, AutoencoderNetwork network, Normalisation normalisation, TrainingConfig config) {
        this.model = model;
        this.network = network;
        this.normalisation = normalisation;
        this.config = config;
    }

    public Normalisation normalisation() {
        return normalisation;
    }

    public int latentDim() {
        return network.latentDim();
    }

    public TrainingConfig config() {
        return config;
    }

    AutoencoderNetwork network() {
        return network;
    }

    /** The ONNX graph of the current weights. */
    public byte[] toOnnx() {
        return toOnnx(null);
    }

    /** The ONNX graph of the current weights, its score extended by a latent distance when one is given. */
    public byte[] toOnnx(AutoencoderGraph.LatentDistance latentDistance) {
        return AutoencoderGraph.build(config.modelId(), network.encoderLayers(), network.decoderLayers(), normalisation,
                network.latentDim(), network.variationalHead(config.variational()), latentDistance);
    }

    /**
     * Runs raw rows through DJL in inference mode: returns {@code [latent, reconstruction, score]} with the
     * reconstruction in input units and the score computed as {@link #toOnnx()}'s graph defines it (one value per
     * row in {@code score[i][0]}). The latent-distance term that export adds when
     * {@link TrainingConfig#latentDistanceWeight()} is set needs the validation rows' codes, so it is not part of this
     * score (LatentDistanceScoreTest checks that term against the exported graph).
     */
    public float[][][] forward(float[][] raw) {
        int n = raw.length;
        int width = normalisation.width();
        float[] flat = new float[n * width];
        for (int i = 0; i < n; i++) {
            normalisation.applyTo(raw[i], flat, i * width);
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.create(flat, new Shape(n, width));
            NDList out = network.forward(ps, new NDList(x), false);
            NDArray r = out.get(0);
            NDArray z = out.get(1);
            NDArray err = r.sub(x).square().mean(new int[] {1});
            if (out.size() == 3 && config.variational().score() == TrainingConfig.Variational.VaeScore.NEGATIVE_ELBO) {
                NDArray lv = out.get(2);
                NDArray kl = lv.add(1f).sub(z.square()).sub(lv.exp()).sum(new int[] {1}).mul(-0.5f);
                err = err.add(kl.mul((float) (config.variational().beta() / width)));
            }
            float[] zf = z.toFloatArray();
            float[] rf = r.toFloatArray();
            float[] sf = err.toFloatArray();
            int latent = (int) z.getShape().get(1);
            double[] mean = normalisation.mean();
            double[] scale = normalisation.scale();
            float[][] latents = new float[n][latent];
            float[][] recon = new float[n][width];
            float[][] scores = new float[n][1];
            for (int i = 0; i < n; i++) {
                System.arraycopy(zf, i * latent, latents[i], 0, latent);
                for (int j = 0; j < width; j++) {
                    recon[i][j] = (float) (rf[i * width + j] * scale[j] + mean[j]);
                }
                scores[i][0] = sf[i];
            }
            return new float[][][] {latents, recon, scores};
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
