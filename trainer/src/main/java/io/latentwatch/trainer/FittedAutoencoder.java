package io.latentwatch.trainer;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.latentwatch.core.bundle.Normalisation;
import io.latentwatch.trainer.onnx.DenseLayer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained dense autoencoder still held by DJL, with the normalisation it was trained under. Used to
 * export the ONNX graph and, in tests, to check that ONNX Runtime computes what DJL computes.
 */
public final class FittedAutoencoder implements AutoCloseable {
    private final Model model;
    private final SequentialBlock encoder;
    private final SequentialBlock decoder;
    private final List<Linear> encoderLinears;
    private final List<Linear> decoderLinears;
    private final List<DenseLayer.Activation> encoderActivations;
    private final List<DenseLayer.Activation> decoderActivations;
    private final Normalisation normalisation;

    FittedAutoencoder(Model model, SequentialBlock encoder, SequentialBlock decoder, List<Linear> encoderLinears,
                      List<Linear> decoderLinears, List<DenseLayer.Activation> encoderActivations,
                      List<DenseLayer.Activation> decoderActivations, Normalisation normalisation) {
        this.model = model;
        this.encoder = encoder;
        this.decoder = decoder;
        this.encoderLinears = List.copyOf(encoderLinears);
        this.decoderLinears = List.copyOf(decoderLinears);
        this.encoderActivations = List.copyOf(encoderActivations);
        this.decoderActivations = List.copyOf(decoderActivations);
        this.normalisation = normalisation;
    }

    public Normalisation normalisation() {
        return normalisation;
    }

    public int latentDim() {
        return (int) encoderLinears.get(encoderLinears.size() - 1).getParameters().get("weight").getArray().getShape().get(0);
    }

    /** Current weights of the encoder layers, ready for export. */
    public List<DenseLayer> encoderLayers() {
        return layers(encoderLinears, encoderActivations);
    }

    /** Current weights of the decoder layers, ready for export. */
    public List<DenseLayer> decoderLayers() {
        return layers(decoderLinears, decoderActivations);
    }

    private static List<DenseLayer> layers(List<Linear> linears, List<DenseLayer.Activation> activations) {
        List<DenseLayer> out = new ArrayList<>();
        for (int i = 0; i < linears.size(); i++) {
            NDArray w = linears.get(i).getParameters().get("weight").getArray();
            NDArray b = linears.get(i).getParameters().get("bias").getArray();
            int outputs = (int) w.getShape().get(0);
            int inputs = (int) w.getShape().get(1);
            out.add(new DenseLayer(w.toFloatArray(), b.toFloatArray(), inputs, outputs, activations.get(i)));
        }
        return out;
    }

    /** Puts back weights taken earlier with {@link #encoderLayers()} / {@link #decoderLayers()}. */
    void restore(List<DenseLayer> encoderWeights, List<DenseLayer> decoderWeights) {
        setWeights(encoderLinears, encoderWeights);
        setWeights(decoderLinears, decoderWeights);
    }

    private static void setWeights(List<Linear> linears, List<DenseLayer> weights) {
        for (int i = 0; i < linears.size(); i++) {
            Parameter w = linears.get(i).getParameters().get("weight");
            Parameter b = linears.get(i).getParameters().get("bias");
            w.getArray().set(FloatBuffer.wrap(weights.get(i).weight()));
            b.getArray().set(FloatBuffer.wrap(weights.get(i).bias()));
        }
    }

    /**
     * Runs raw rows through DJL: returns {@code [latent, reconstruction]} with the reconstruction in input
     * units, computed the way the exported graph computes it.
     */
    public float[][][] forward(float[][] raw) {
        float[][] normalised = normalisation.apply(raw);
        int n = raw.length;
        int width = normalisation.width();
        float[] flat = new float[n * width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(normalised[i], 0, flat, i * width, width);
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.create(flat, new Shape(n, width));
            NDArray z = encoder.forward(ps, new NDList(x), false).singletonOrThrow();
            NDArray r = decoder.forward(ps, new NDList(z), false).singletonOrThrow();
            float[] zf = z.toFloatArray();
            float[] rf = r.toFloatArray();
            int latent = (int) z.getShape().get(1);
            double[] mean = normalisation.mean();
            double[] scale = normalisation.scale();
            float[][] latents = new float[n][latent];
            float[][] recon = new float[n][width];
            for (int i = 0; i < n; i++) {
                System.arraycopy(zf, i * latent, latents[i], 0, latent);
                for (int j = 0; j < width; j++) {
                    recon[i][j] = (float) (rf[i * width + j] * scale[j] + mean[j]);
                }
            }
            return new float[][][] {latents, recon};
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
